package io.faultfabric.actors;
