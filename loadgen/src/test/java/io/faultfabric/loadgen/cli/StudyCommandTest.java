package io.faultfabric.loadgen.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to {@code faultfabric study} exits 2 before anything runs. */
class StudyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void anUnknownFlagIsBadInput() {
        MainTest.Result r = MainTest.faultfabric("study", "--quik");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--quik");
    }

    @Test
    void anOutputThatIsAFileIsBadInput() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");

        MainTest.Result r = MainTest.faultfabric("study", "--quick", "--out", file.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("is not a directory").doesNotContain("internal error");
    }

    @Test
    void helpListsTheFlags() {
        MainTest.Result r = MainTest.faultfabric("study", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--quick").contains("--out");
    }
}
