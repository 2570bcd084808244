package io.faultfabric.streams;

import io.faultfabric.actors.FabricSettings;
import io.faultfabric.actors.IoasidOwner;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Bad arguments to the embedding API fail clearly (a failed stage, or a failed stream) and change nothing. */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadArgumentsTest {
    private static final int NO_DEVICE = 0x999; // 09:13.1
    private static final int PASID_TOO_BIG = 1 << 20;

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().withName("bad-arguments").withCustomConfig(Fabrics.config()).build();

    // two devices (01:00.0 and 01:00.1) of two PASIDs (1, 2) each; PASID i of device d is IOASID and owner 2d+i-1
    private final Topology topology = Fabrics.uniform(1, IommuKind.VTD, 2048, 2, 2, 16, OwnerKind.HOST_SVA);
    private FaultFabric fabric;
    private int rid;

    @BeforeAll
    void start() {
        fabric = Fabrics.start(testKit.system(), topology, b -> b);
        rid = topology.devicePfRid(0);
    }

    @AfterAll
    void stop() {
        Fabrics.join(fabric.shutdown());
    }

    private static void failsWith(Supplier<CompletionStage<Done>> operation, Class<? extends Throwable> type, String message) {
        Throwable t = Fabrics.failure(operation.get());
        assertThat(t).isInstanceOf(type).hasMessage(message);
    }

    @Test
    void anUnknownRidFailsEveryOperationClearly() {
        String unknown = "rid 09:13.1 is not a function of any device in the topology";
        assertThatThrownBy(() -> fabric.pageRequests(NO_DEVICE)).isInstanceOf(IllegalArgumentException.class).hasMessage(unknown);
        assertThatThrownBy(() -> fabric.pageRequests(1 << 16)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("rid must be a 16-bit requester id 0..65535, was 65536");
        failsWith(() -> fabric.attach(NO_DEVICE, 1, 0), IllegalArgumentException.class, unknown);
        failsWith(() -> fabric.detach(NO_DEVICE, 1), IllegalArgumentException.class, unknown);
        failsWith(() -> fabric.replace(NO_DEVICE, 1, 0), IllegalArgumentException.class, unknown);
        failsWith(() -> fabric.stopPasid(NO_DEVICE, 1), IllegalArgumentException.class, unknown);
        failsWith(() -> fabric.resetDevice(NO_DEVICE), IllegalArgumentException.class, unknown);
        unchanged();
    }

    @Test
    void aPasidOrIoasidOutOfRangeFailsTheStage() {
        String pasid = "pasid must be a 20-bit PASID 0..1048575, was 1048576";
        failsWith(() -> fabric.attach(rid, PASID_TOO_BIG, 0), IllegalArgumentException.class, pasid);
        failsWith(() -> fabric.detach(rid, PASID_TOO_BIG), IllegalArgumentException.class, pasid);
        failsWith(() -> fabric.replace(rid, PASID_TOO_BIG, 0), IllegalArgumentException.class, pasid);
        failsWith(() -> fabric.stopPasid(rid, -1), IllegalArgumentException.class, "pasid must be a 20-bit PASID 0..1048575, was -1");
        failsWith(() -> fabric.attach(rid, 9, 4), IllegalArgumentException.class, "ioasid must be 0..3, was 4");
        failsWith(() -> fabric.replace(rid, 1, -1), IllegalArgumentException.class, "ioasid must be 0..3, was -1");
        unchanged();
    }

    @Test
    void theIommuRefusesAnAttachToAnAttachedPasidAndADetachOrReplaceOfAnUnattachedOne() {
        failsWith(() -> fabric.attach(rid, 1, 3), IllegalStateException.class,
            "pasid 1 of rid 01:00.0 is already attached to ioasid 0; detach it first or use replace");
        failsWith(() -> fabric.detach(rid, 77), IllegalStateException.class, "pasid 77 of rid 01:00.0 is not attached");
        failsWith(() -> fabric.replace(rid, 77, 1), IllegalStateException.class, "pasid 77 of rid 01:00.0 is not attached");
        // the device does send its stop marker (counted, never answered) before the teardown is refused
        failsWith(() -> fabric.stopPasid(rid, 77), IllegalStateException.class, "pasid 77 of rid 01:00.0 is not attached");
        unchanged();
    }

    @Test
    void aRequestOfAnotherDevicesRidFailsThatStreamAndNothingElse() {
        int other = topology.devicePfRid(1);
        PageRequest stray = Fabrics.single(other, 1, 5, 0);
        long issuedBefore = Fabrics.snapshot(fabric).issuedGroups();
        TestPublisher.Probe<PageRequest> source = TestSource.<PageRequest>create(testKit.system()).to(fabric.pageRequests(rid)).run(testKit.system());

        LoggingTestKit.warn("the request stream of device 0 failed").expect(testKit.system(), () -> {
            source.sendNext(stray);
            Throwable cause = source.expectCancellationWithCause(IllegalArgumentException.class);
            assertThat(cause).hasMessage("pageRequests(01:00.0) got " + stray + ": its RID is not a function of that device");
            return null;
        });

        FabricSnapshot after = Fabrics.snapshot(fabric);
        assertThat(after.issuedGroups()).isEqualTo(issuedBefore);
        assertThat(after.devices().get(1).ledger().groupsIssued).as("the other device").isZero();
        // the device takes the next stream as if nothing had happened
        Source.single(Fabrics.single(rid, 1, 6, 1)).runWith(fabric.pageRequests(rid), testKit.system());
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric).completedGroups() == issuedBefore + 1);
        unchanged();
    }

    @Test
    void aBuilderThatCouldNeverIssueAGroupIsRefusedWithTheAllowedRange() {
        // the topology's devices have 16 credits: a 17-request group could never be issued
        assertThatThrownBy(() -> FaultFabric.builder(testKit.system(), topology).requestsPerGroup(1, 17).start())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("requestsPerGroup max 17 exceeds device 0's outstanding allocation of 16 requests; allowed: 1..16");
        assertThatThrownBy(() -> FaultFabric.builder(testKit.system(), topology).requestsPerGroup(0, 4))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("requestsPerGroup must satisfy 1 <= min <= max <= 512, were 0..4");
        FabricSettings elsewhere = fabric.settings();
        FabricSettings noDispatcher = new FabricSettings(elsewhere.responseTimeout(), elsewhere.timeoutCheckInterval(), elsewhere.drainBatch(),
            elsewhere.ownerSupervision(), elsewhere.deviceBatch(), "my.dispatcher", elsewhere.serviceClock());
        assertThatThrownBy(() -> FaultFabric.builder(testKit.system(), topology).settings(noDispatcher).start())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("faultfabric.dispatcher = \"my.dispatcher\": no dispatcher is configured at that path");
        unchanged();
    }

    /** The PASID table is as the topology made it, a fault on PASID 1 still reaches owner 0, and nothing was violated. */
    private void unchanged() {
        ActorSystem<?> system = testKit.system();
        assertThat(Fabrics.iommu(fabric, system, 0).routingEntries()).isEqualTo(4);
        fabric.context().owner(0).tell(new IoasidOwner.Hang(true));
        Source.single(Fabrics.single(rid, 1, 100, 100)).runWith(fabric.pageRequests(rid), system);
        await().atMost(Fabrics.WAIT).until(() -> Fabrics.owner(fabric, system, 0).waiting() == 1);
        fabric.context().owner(0).tell(new IoasidOwner.Hang(false));
        FabricSnapshot s = await().atMost(Fabrics.WAIT).until(() -> Fabrics.snapshot(fabric), x -> x.outstandingGroups() == 0);
        assertThat(s.creditsInUse()).isZero();
        assertThat(s.rejectedResponses()).isZero();
        assertThat(s.ledger().groupsAutoAnswered()).as("%s", s.ledger()).isZero();
        assertThat(s.violations().none()).as(s.violations().toString()).isTrue();
    }
}
