package io.faultfabric.loadgen;
