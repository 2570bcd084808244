package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SMMUv3 stall model inside one unit: a PRI device (RID 0x100) and a stalling platform device (SID 0x200) side by side. */
class StallModelTest {
    private static final int PRI = 0x100, SID = 0x200;
    private static final int OWNER_BASE = 100, DEVICE_OWNER_BASE = 900;

    private final Recorder out = new Recorder();
    private long clock;

    private IommuCore unit(RoutingMode mode, int eventQueueDepth) {
        IommuCore c = new IommuCore(0, IommuKind.SMMUV3, 64, mode, new int[] {PRI, SID}, new int[] {DEVICE_OWNER_BASE, DEVICE_OWNER_BASE + 1},
            new boolean[] {false, true}, eventQueueDepth, new RoutingTable(16, io -> OWNER_BASE + io), out);
        c.stallClock(() -> clock);
        c.attach(PRI, 1, 0);
        c.attach(SID, 1, 1);
        c.attach(SID, 2, 2);
        return c;
    }

    private static PageRequest fault(int pasid, long seq) {
        return new PageRequest(SID, pasid, true, 0, (seq + 1) << 12, Permissions.READ, true, 0, seq);
    }

    @Test
    void aStallGoesToTheOwnerOfItsSidAndSsidAsAOneRequestGroupAndSuccessResumesWithRetry() {
        IommuCore c = unit(RoutingMode.OWNER, 8);
        c.offer(fault(2, 0), 0);
        c.offer(PageRequest.of(new Rid(PRI), new Pasid(1), new Prgi(5), 0x1000, Permissions.READ, true), 0);
        c.drain(Integer.MAX_VALUE, 0);

        PageRequestGroup stall = out.dispatched.stream().filter(PageRequestGroup::isStall).findFirst().orElseThrow();
        assertThat(stall.handler()).isEqualTo(OWNER_BASE + 2);
        assertThat(stall.requestCount()).isEqualTo(1);
        assertThat(out.dispatched).hasSize(2);
        assertThat(c.queueDepth()).isZero();

        assertThat(c.respond(stall, stall.handler(), ResponseCode.SUCCESS)).isNull();
        assertThat(out.lastResponse()).isSameAs(stall);
        assertThat(c.ledger().resumesSent[StallEventQueue.Resume.RETRY.ordinal()]).isEqualTo(1);
        assertThat(c.stallQueue().outstanding()).isZero();
    }

    @Test
    void inDeviceModeAStallGoesToItsDevicesOwner() {
        IommuCore c = unit(RoutingMode.DEVICE, 8);
        c.offer(fault(1, 0), 0);
        c.drain(Integer.MAX_VALUE, 0);
        assertThat(out.lastDispatched().handler()).isEqualTo(DEVICE_OWNER_BASE + 1);
    }

    @Test
    void invalidAndFailureBothResumeWithAbort() {
        IommuCore c = unit(RoutingMode.OWNER, 8);
        c.offer(fault(1, 0), 0);
        c.offer(fault(1, 1), 0);
        c.drain(Integer.MAX_VALUE, 0);
        PageRequestGroup a = out.dispatched.get(0), b = out.dispatched.get(1);

        c.respond(a, a.handler(), ResponseCode.INVALID);
        c.respond(b.rid(), b.pasid(), b.prgi(), b.groupId(), b.handler(), ResponseCode.RESPONSE_FAILURE, AutoReason.HANDLER_FAILED);

        assertThat(c.ledger().resumesSent[StallEventQueue.Resume.ABORT.ordinal()]).isEqualTo(2);
        assertThat(c.ledger().autoSent[AutoReason.HANDLER_FAILED.ordinal()]).isEqualTo(1);
    }

    @Test
    void aSecondResumeAndAResumeForAStagNeverReportedAreRejectedAndCounted() {
        IommuCore c = unit(RoutingMode.OWNER, 1);
        c.offer(fault(1, 0), 0);
        c.drain(Integer.MAX_VALUE, 0);
        PageRequestGroup g = out.lastDispatched();
        c.offer(fault(1, 1), 0); // stalled, on the queue, not yet read by software
        int queuedStag = (g.stag() + 1) & Stag.MAX;

        assertThat(c.respond(g, g.handler(), ResponseCode.SUCCESS)).isNull();
        assertThat(c.respond(g, g.handler(), ResponseCode.SUCCESS)).isEqualTo(RejectReason.UNKNOWN_STAG);
        assertThat(c.respond(SID, 1, queuedStag, 0, g.handler(), ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.UNKNOWN_STAG);
        assertThat(c.respond(SID, 1, 4242, 0, g.handler(), ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.UNKNOWN_STAG);

        assertThat(c.ledger().rejected(RejectReason.UNKNOWN_STAG)).isEqualTo(3);
        assertThat(out.responses).containsExactly(g);
        assertThat(out.rejections).extracting(Recorder.Rejection::reason).containsOnly(RejectReason.UNKNOWN_STAG);
        // the queued stall is untouched: read now, it is dispatched as usual
        c.drain(Integer.MAX_VALUE, 0);
        assertThat(out.lastDispatched().stag()).isEqualTo(queuedStag);
    }

    @Test
    void aResumeFromAnotherHandlerOrNamingAnotherPasidIsRejected() {
        IommuCore c = unit(RoutingMode.OWNER, 4);
        c.offer(fault(1, 0), 0);
        c.drain(Integer.MAX_VALUE, 0);
        PageRequestGroup g = out.lastDispatched();

        assertThat(c.respond(g, g.handler() + 1, ResponseCode.SUCCESS)).isEqualTo(RejectReason.WRONG_HANDLER);
        assertThat(c.respond(SID, 2, g.stag(), g.groupId(), g.handler(), ResponseCode.SUCCESS, null)).isEqualTo(RejectReason.PASID_MISMATCH);
        assertThat(c.respond(g, g.handler(), ResponseCode.SUCCESS)).isNull();
    }

    @Test
    void aFullEventQueueMakesTheTransactionWaitNothingIsDroppedAndTheWaitIsCounted() {
        IommuCore c = unit(RoutingMode.OWNER, 2);
        clock = 1_000;
        for (int i = 0; i < 5; i++) c.offer(fault(1, i), 0);
        assertThat(c.stallQueue().queued()).isEqualTo(2);
        assertThat(c.stallQueue().waiting()).isEqualTo(3);
        assertThat(c.backlog()).isEqualTo(5);

        clock = 3_000;
        assertThat(c.drain(Integer.MAX_VALUE, 0)).isEqualTo(5);

        assertThat(out.dispatched).hasSize(5);
        assertThat(out.drops).isEmpty();
        assertThat(c.ledger().stallsWaitedForRoom).isEqualTo(3);
        assertThat(c.ledger().stallWaitNanos).isEqualTo(3 * 2_000);
        assertThat(c.ledger().stallWaitMaxNanos).isEqualTo(2_000);
        assertThat(c.ledger().eventQueueHighWater).isEqualTo(2);
        for (PageRequestGroup g : out.dispatched) assertThat(c.respond(g, g.handler(), ResponseCode.SUCCESS)).isNull();
        assertThat(c.ledger().resumesSent()).isEqualTo(5);
    }

    @Test
    void timeoutsDetachReplaceResetRestartAndShutdownEachResumeEveryStallOnceWithItsReason() {
        IommuCore c = unit(RoutingMode.OWNER, 2);
        c.offer(fault(1, 0), 0);
        c.drain(Integer.MAX_VALUE, 0);
        assertThat(c.expire(1_000, 1_000)).isEqualTo(1);
        assertThat(out.lastResponse().autoReason()).isEqualTo(AutoReason.TIMEOUT);

        c.offer(fault(1, 1), 10);
        c.offer(fault(2, 2), 10);
        c.drain(Integer.MAX_VALUE, 10);
        c.detach(SID, 1, 20);
        assertThat(out.lastResponse().autoReason()).isEqualTo(AutoReason.DETACHED);
        assertThat(out.lastResponse().pasid()).isEqualTo(1);
        c.replace(SID, 2, 5, 30);
        assertThat(out.lastResponse().autoReason()).isEqualTo(AutoReason.REPLACED);

        // queued, waiting and dispatched stalls of the device: all answered by its reset
        c.offer(fault(2, 3), 40);
        c.drain(Integer.MAX_VALUE, 40);
        for (int i = 4; i < 8; i++) c.offer(fault(2, i), 40);
        out.responses.clear();
        c.resetDevice(SID, 50);
        assertThat(out.responses).hasSize(5).allSatisfy(g -> assertThat(g.autoReason()).isEqualTo(AutoReason.DEVICE_RESET));
        assertThat(c.backlog()).isZero();

        for (int i = 8; i < 12; i++) c.offer(fault(2, i), 60);
        c.drain(1, 60);
        out.responses.clear();
        assertThat(c.restart(70)).isEqualTo(4);
        assertThat(out.responses).hasSize(4).allSatisfy(g -> assertThat(g.autoReason()).isEqualTo(AutoReason.IOMMU_RESTART));

        for (int i = 12; i < 16; i++) c.offer(fault(2, i), 80);
        out.responses.clear();
        c.answerAll(AutoReason.SHUTDOWN, 90);
        assertThat(out.responses).hasSize(4).allSatisfy(g -> assertThat(g.autoReason()).isEqualTo(AutoReason.SHUTDOWN));

        assertThat(c.stallQueue().outstanding()).isZero();
        assertThat(c.ledger().stallsTaken).isEqualTo(16);
        assertThat(c.ledger().resumesSent()).isEqualTo(16);
        assertThat(c.ledger().resumesSent[StallEventQueue.Resume.ABORT.ordinal()]).isEqualTo(16);
    }

    @Test
    void aDetachedSsidIsNotDrainedWhileAStallOfItIsStillOnTheEventQueue() {
        IommuCore c = unit(RoutingMode.OWNER, 4);
        c.offer(fault(1, 0), 0);
        c.detach(SID, 1, 0);
        assertThat(out.wasDrained(SID, 1)).isFalse();

        c.drain(Integer.MAX_VALUE, 0);
        // read after the detach: nobody is attached, so the transaction is aborted (NO_HANDLER), and the SSID is drained
        assertThat(out.lastResponse().autoReason()).isEqualTo(AutoReason.NO_HANDLER);
        assertThat(out.wasDrained(SID, 1)).isTrue();
    }

    @Test
    void aHandlerFailureOnAStallingDeviceAbortsItsStallsAndDisablesNothing() {
        IommuCore c = unit(RoutingMode.OWNER, 4);
        c.offer(fault(1, 0), 0);
        c.drain(Integer.MAX_VALUE, 0);
        assertThat(c.failGroupsOf(SID, 0)).isEqualTo(1);
        PageRequestGroup g = out.lastResponse();
        assertThat(g.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);

        DeviceState dev = new DeviceState(new int[] {SID}, 2, true);
        assertThat(dev.issue(g.lastRequest())).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.onResponse(g)).isTrue();
        assertThat(dev.priEnabled()).isTrue();
        assertThat(dev.responseFailureStatus()).isFalse();
        assertThat(dev.ledger().resumes(StallEventQueue.Resume.ABORT)).isEqualTo(1);
        assertThat(dev.ledger().priDisabledEvents).isZero();
        assertThat(dev.canIssue(1)).isTrue();
    }

    @Test
    void aStallingDeviceKeepsToItsLimitAndSendsOnlySingleTransactions() {
        DeviceState dev = new DeviceState(new int[] {SID}, 2, true);
        assertThat(dev.issue(fault(1, 0))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.issue(fault(1, 1))).isEqualTo(DeviceState.Issue.ISSUED);
        assertThat(dev.issue(fault(1, 2))).isEqualTo(DeviceState.Issue.NO_CREDIT);
        assertThat(dev.issue(new PageRequest(SID, 1, true, 0, 0x1000, Permissions.READ, false, 0, 3))).isEqualTo(DeviceState.Issue.NOT_A_STALL);
        assertThat(dev.issue(PageRequest.stopMarker(SID, 1, 0, 0))).isEqualTo(DeviceState.Issue.NOT_A_STALL);
        assertThat(dev.ledger().stallsIssued).isEqualTo(2);
        assertThat(dev.ledger().groupsIssued).isEqualTo(2);

        assertThatThrownBy(() -> new DeviceState(new int[] {SID, SID + 1}, 2, true)).hasMessageContaining("one stream");
        assertThatThrownBy(() -> new DeviceState(new int[] {SID}, 65537, true)).hasMessageContaining("1..65536");
    }

    @Test
    void stallingDevicesOnlyBehindAnSmmuV3() {
        assertThatThrownBy(() -> new IommuCore(0, IommuKind.VTD, 64, RoutingMode.OWNER, new int[] {SID}, new int[] {1},
            new boolean[] {true}, 8, new RoutingTable(4, io -> io), out))
            .hasMessage("stalling devices must sit behind an SMMUV3 unit (the stall model is Arm SMMUv3's); IOMMU 0 is VTD");
    }
}
