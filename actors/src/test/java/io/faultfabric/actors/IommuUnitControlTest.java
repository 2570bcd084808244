package io.faultfabric.actors;

import io.faultfabric.engine.AutoReason;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.topology.Topology;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.BehaviorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.faultfabric.actors.FabricFixture.PF;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Control messages at one IOMMU unit, one message at a time (BehaviorTestKit): the unit's own drain passes wait in its
 * self inbox, so a detach can be caught while the queue still holds requests of its PASID.
 */
class IommuUnitControlTest {
    private final Topology topology = FabricFixture.tiny(OwnerKind.HOST_SVA, RoutingMode.OWNER, 2, 64, 0);
    private final List<TestInbox<IoasidOwner.Command>> owners = new ArrayList<>();
    private final TestInbox<Device.Command> device = TestInbox.create();
    private final BehaviorTestKit<IommuUnit.Command> unit;

    IommuUnitControlTest() {
        // one request per drain pass: what is left waits for the next pass, a message the unit sends itself
        FabricSettings settings = new FabricSettings(FabricFixture.TIMEOUT, FabricFixture.TICK, 1, FabricSettings.OwnerSupervision.RESTART, 64,
            "faultfabric.data-plane-dispatcher", FabricSettings.ServiceClockKind.SCHEDULER);
        FabricContext ctx = new FabricContext(topology, settings, 42L, o -> FaultPolicy.DEFAULT);
        for (int o = 0; o < topology.ownerCount(); o++) {
            TestInbox<IoasidOwner.Command> inbox = TestInbox.create();
            owners.add(inbox);
            ctx.registerOwner(o, inbox.getRef());
        }
        ctx.registerDevice(0, device.getRef());
        unit = BehaviorTestKit.create(IommuUnit.create(0, ctx));
    }

    private static List<PageRequest> singles(int pasid, int from, int count) {
        List<PageRequest> out = new ArrayList<>();
        for (int p = from; p < from + count; p++) {
            out.add(new PageRequest(PF, pasid, true, p, (0x1000L + p) * PageAddress.PAGE_SIZE, Permissions.READ, true, 0, p));
        }
        return out;
    }

    private void runSelfMessages() {
        while (unit.selfInbox().hasMessages()) unit.runOne();
    }

    @Test
    void aDetachRepliesOnlyOnceItsPasidIsDrainedAndARefusedSecondDetachDoesNotLoseTheFirstsReply() {
        unit.run(new IommuUnit.Requests(new ArrayList<>(singles(1, 0, 3))));
        TestInbox<StatusReply<Done>> first = TestInbox.create();
        TestInbox<StatusReply<Done>> second = TestInbox.create();

        unit.run(new IommuUnit.Detach(PF, 1, first.getRef()));
        assertThat(first.hasMessages()).as("two requests of PASID 1 are still queued").isFalse();
        TestInbox<StatusReply<Done>> attach = TestInbox.create();
        unit.run(new IommuUnit.Attach(PF, 1, 1, attach.getRef()));
        assertThat(attach.receiveMessage().getError()).hasMessageContaining("still draining");

        unit.run(new IommuUnit.Detach(PF, 1, second.getRef()));
        assertThat(second.receiveMessage().getError()).hasMessage("pasid 1 of rid 01:00.0 is not attached (it is draining)");
        assertThat(first.hasMessages()).isFalse();

        runSelfMessages();
        assertThat(first.receiveMessage().isSuccess()).as("the first detach, once drained").isTrue();
        assertThat(second.hasMessages()).isFalse();
    }

    @Test
    void detachAndReplaceTellTheOldOwnerToDropTheGroupsTheUnitAnswered() {
        unit.run(new IommuUnit.Requests(new ArrayList<>(singles(1, 0, 1))));
        runSelfMessages();
        PageRequestGroup dispatched = ((IoasidOwner.Fault) owners.get(0).receiveMessage()).group();
        assertThat(dispatched.pasid()).isEqualTo(1);

        TestInbox<StatusReply<Done>> replaced = TestInbox.create();
        unit.run(new IommuUnit.Replace(PF, 1, 1, replaced.getRef()));
        assertThat(replaced.receiveMessage().isSuccess()).isTrue();
        assertThat(owners.get(0).receiveMessage()).isEqualTo(new IoasidOwner.Detached(PF, 1));
        runSelfMessages();
        IommuUnit.Snapshot s = unitSnapshot();
        assertThat(s.ledger().autoSent[AutoReason.REPLACED.ordinal()]).isEqualTo(1);

        unit.run(new IommuUnit.Requests(new ArrayList<>(singles(1, 1, 1))));
        runSelfMessages();
        assertThat(((IoasidOwner.Fault) owners.get(1).receiveMessage()).group().pasid()).as("PASID 1 now routes to owner 1").isEqualTo(1);

        TestInbox<StatusReply<Done>> detached = TestInbox.create();
        unit.run(new IommuUnit.Detach(PF, 1, detached.getRef()));
        assertThat(owners.get(1).receiveMessage()).isEqualTo(new IoasidOwner.Detached(PF, 1));
        assertThat(detached.receiveMessage().isSuccess()).isTrue();
        assertThat(owners.get(0).hasMessages()).isFalse();
    }

    @Test
    void aRefusedDetachTellsNoOwner() {
        TestInbox<StatusReply<Done>> reply = TestInbox.create();
        unit.run(new IommuUnit.Detach(PF, 9, reply.getRef()));
        assertThat(reply.receiveMessage().getError()).hasMessage("pasid 9 of rid 01:00.0 is not attached");
        unit.run(new IommuUnit.Detach(PF, 1 << 21, reply.getRef()));
        assertThat(reply.receiveMessage().getError()).hasMessage("pasid must be a 20-bit PASID 0..1048575, was 2097152");
        unit.run(new IommuUnit.Detach(0x999, 1, reply.getRef()));
        assertThat(reply.receiveMessage().getError()).hasMessage("rid 09:13.1 is not a device of IOMMU 0");
        for (TestInbox<IoasidOwner.Command> o : owners) assertThat(o.hasMessages()).isFalse();
        assertThat(unitSnapshot().routingEntries()).isEqualTo(2);
    }

    private IommuUnit.Snapshot unitSnapshot() {
        TestInbox<IommuUnit.Snapshot> inbox = TestInbox.create();
        unit.run(new IommuUnit.GetSnapshot(inbox.getRef()));
        return inbox.receiveMessage();
    }
}
