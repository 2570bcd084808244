package io.faultfabric.streams.examples;

import io.faultfabric.engine.ResponseCode;
import io.faultfabric.streams.FabricSnapshot;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LogCapturingExtension.class)
class EmbeddingExampleTest {

    @Test
    void theDocumentedJavaExampleRunsAndEveryGroupIsAnsweredOnce() throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "embedding-example");
        try {
            FabricSnapshot end = EmbeddingExample.run(system);
            assertThat(end.ledger().groupsIssued).isEqualTo(100);
            assertThat(end.ledger().answered(ResponseCode.SUCCESS)).isEqualTo(100);
            assertThat(end.outstandingGroups()).isZero();
            assertThat(end.violations().none()).as(end.violations().toString()).isTrue();
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get();
        }
    }

    @Test
    void docsEmbeddingShowsTheExamplesThatTheTestsRun() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String doc = Files.readString(root.resolve("docs/embedding.md"));
        assertThat(doc).contains(region(root.resolve("streams/src/test/java/io/faultfabric/streams/examples/EmbeddingExample.java")));
        assertThat(doc).contains(region(root.resolve("streams/src/test/scala/io/faultfabric/streams/examples/ScalaEmbeddingExample.scala")));
    }

    private static String region(Path file) throws Exception {
        String s = Files.readString(file);
        int from = s.indexOf("// example:begin\n") + "// example:begin\n".length();
        int to = s.indexOf("// example:end");
        return s.substring(from, to).strip();
    }
}
