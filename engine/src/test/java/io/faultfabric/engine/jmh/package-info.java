/**
 * JMH benchmarks of the engine's hot paths: group assembly and routing in {@link io.faultfabric.engine.IommuCore},
 * the PASID table lookup, credit accounting in {@link io.faultfabric.engine.DeviceState}, response validation, and
 * one step of {@link io.faultfabric.engine.direct.DirectFabric}. Not tests: their names end in Benchmark, which the
 * test run does not pick up. Run them with (docs/benchmarks.md):
 * <pre>mvn -B -o -pl engine test-compile exec:exec -Pjmh</pre>
 */
package io.faultfabric.engine.jmh;
