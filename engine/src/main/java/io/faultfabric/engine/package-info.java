package io.faultfabric.engine;
