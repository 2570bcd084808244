package io.faultfabric.streams;
