package io.faultfabric.loadgen.report;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs a local Chromium headless against a file, isolated from the network and from any user profile. */
final class HeadlessChromium {
    private static final Path DEBIAN_BINARY = Path.of("/usr/bin/chromium");
    private static final List<String> NAMES_ON_PATH = List.of("chromium", "chromium-browser");
    private static final long TIMEOUT_SECONDS = 60;
    private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars");

    private final Path binary;
    private final Path workDir;
    private int runs;

    HeadlessChromium(Path binary, Path workDir) {
        this.binary = binary;
        this.workDir = workDir;
    }

    static Optional<Path> find() {
        if (Files.isExecutable(DEBIAN_BINARY)) return Optional.of(DEBIAN_BINARY);
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return NAMES_ON_PATH.stream()
                .flatMap(name -> Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    String dumpDom(Path page) throws IOException, InterruptedException {
        return Files.readString(run(page, "--dump-dom"), UTF_8);
    }

    void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        run(page, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height);
    }

    /** Returns the file holding Chromium's standard output. */
    private Path run(Path page, String... extraFlags) throws IOException, InterruptedException {
        Path run = Files.createDirectories(workDir.resolve("run-" + ++runs));
        Path stdout = run.resolve("stdout.txt");
        Path stderr = run.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(FLAGS);
        // a fresh profile per run: Chromium locks its user-data-dir
        command.add("--user-data-dir=" + Files.createDirectories(run.resolve("profile")));
        command.addAll(List.of(extraFlags));
        command.add(page.toUri().toString());
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
        }
        assertThat(process.exitValue()).as("Chromium exit status; stderr:%n%s", Files.readString(stderr, UTF_8)).isZero();
        return stdout;
    }
}
