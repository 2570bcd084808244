package io.faultfabric.loadgen.cli;

import org.junit.jupiter.api.Test;

import static io.faultfabric.loadgen.cli.MainTest.faultfabric;
import static org.assertj.core.api.Assertions.assertThat;

/** The cluster options are checked before any node starts: bad input is exit code 2 with the option named. */
class NodeCommandTest {

    @Test
    void nodeHelpNamesItsOptions() {
        MainTest.Result r = faultfabric("node", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--port", "--seed-nodes", "--role");
    }

    @Test
    void aRoleOtherThanOwnersOrDevicesIsBadInput() {
        MainTest.Result r = faultfabric("node", "--port", "2551", "--seed-nodes", "127.0.0.1:2551", "--role", "iommus");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--role");
    }

    @Test
    void aSeedNodeWithoutAPortIsBadInput() {
        MainTest.Result r = faultfabric("node", "--port", "2551", "--seed-nodes", "127.0.0.1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--seed-nodes");
    }

    @Test
    void aClusterRunNeedsTheFabricEngine() {
        MainTest.Result r = faultfabric("run", "default", "--nodes", "3", "--engine", "direct", "--quiet");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--nodes");
    }
}
