package io.faultfabric.engine.owner;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.RoutingTable;
import io.faultfabric.engine.owner.VirtualPageRequestQueue.Admission;
import io.faultfabric.engine.owner.VirtualPageRequestQueue.Injected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VirtualPageRequestQueueTest {
    private final Groups groups = new Groups();
    private final FaultPolicy policy = FaultPolicy.DEFAULT;

    @Test
    void depthIsTheRangeQemuAllows() {
        assertThatThrownBy(() -> new VirtualPageRequestQueue(0, 127)).hasMessageContaining("128..16384").hasMessageContaining("127");
        assertThatThrownBy(() -> new VirtualPageRequestQueue(0, 16_385)).hasMessageContaining("128..16384");
        assertThat(new VirtualPageRequestQueue(0, 128).capacity()).isEqualTo(128);
        assertThat(new VirtualPageRequestQueue(0, 16_384).capacity()).isEqualTo(16_384);
    }

    @Test
    void eachRequestTakesOneDescriptorAndTheGuestFreesThemWhenItTakesTheGroup() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);

        assertThat(q.inject(groups.group(Groups.RID_A, 1, 1, 3), 7, 1, IommuKind.VTD, policy)).isEqualTo(Admission.QUEUED);
        assertThat(q.inject(groups.group(Groups.RID_A, 2, 2, 2), 8, 1, IommuKind.VTD, policy)).isEqualTo(Admission.QUEUED);

        assertThat(q.used()).isEqualTo(5);
        assertThat(q.queuedGroups()).isEqualTo(2);
        Injected first = q.take();
        assertThat(first.owner()).isEqualTo(7);
        assertThat(first.descriptors()).isEqualTo(3);
        assertThat(q.used()).isEqualTo(2);
        assertThat(q.highWater()).isEqualTo(5);
        assertThat(q.injected()).isEqualTo(2);
    }

    @Test
    void aGroupThatDoesNotFitSetsProAndEveryGroupIsRefusedUntilTheGuestEmptiesTheQueue() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);
        q.inject(groups.group(Groups.RID_A, 1, 1, 100), 0, 1, IommuKind.VTD, policy);

        assertThat(q.inject(groups.group(Groups.RID_A, 1, 2, 29), 0, 2, IommuKind.VTD, policy)).isEqualTo(Admission.FULL);
        assertThat(q.pro()).isTrue();
        assertThat(q.inject(groups.group(Groups.RID_A, 1, 3, 1), 0, 3, IommuKind.VTD, policy)).isEqualTo(Admission.OVERFLOWING);
        assertThat(q.refused()).isEqualTo(2);
        assertThat(q.proEvents()).isEqualTo(1);

        q.take();

        assertThat(q.pro()).isFalse();
        assertThat(q.inject(groups.group(Groups.RID_A, 1, 4, 1), 0, 4, IommuKind.VTD, policy)).isEqualTo(Admission.QUEUED);
    }

    @Test
    void aGroupThatFitsExactlyIsQueued() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);
        q.inject(groups.group(Groups.RID_A, 1, 1, 100), 0, 1, IommuKind.VTD, policy);

        assertThat(q.inject(groups.group(Groups.RID_A, 1, 2, 28), 0, 2, IommuKind.VTD, policy)).isEqualTo(Admission.QUEUED);
        assertThat(q.used()).isEqualTo(128);
    }

    @Test
    void theGuestResponseIsMappedBackToTheHostCookieThroughItsGuestPasid() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(3, 128);
        PageRequestGroup g = groups.group(Groups.RID_A, 5, 9, 1);
        q.inject(g, 42, 6, IommuKind.VTD, policy);
        Injected e = q.take();
        int vPasid = q.toGuestPasid(5, IommuKind.VTD);
        assertThat(e.guestPasid()).isEqualTo(vPasid);

        assertThat(q.respond(Groups.RID_A, 5 == vPasid ? 6 : 5, 9)).isNull();
        Injected back = q.respond(Groups.RID_A, vPasid, 9);

        assertThat(back).isSameAs(e);
        assertThat(back.cookie()).isEqualTo(6);
        assertThat(back.owner()).isEqualTo(42);
        assertThat(q.respond(Groups.RID_A, vPasid, 9)).as("answered once").isNull();
        assertThat(q.unmatchedResponses()).isEqualTo(2);
        assertThat(q.awaitingResponses()).isZero();
    }

    @Test
    void aReusedPrgiIsAnsweredInInjectionOrder() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);
        q.inject(groups.group(Groups.RID_A, 1, 7, 1), 0, 1, IommuKind.SMMUV3, policy);
        q.inject(groups.group(Groups.RID_A, 1, 7, 1), 0, 2, IommuKind.SMMUV3, policy);

        assertThat(q.respond(Groups.RID_A, 1, 7).cookie()).isEqualTo(1);
        assertThat(q.respond(Groups.RID_A, 1, 7).cookie()).isEqualTo(2);
    }

    @Test
    void forgettingAnOwnerDropsOnlyItsMappings() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);
        q.inject(groups.group(Groups.RID_A, 1, 7, 1), 10, 1, IommuKind.SMMUV3, policy);
        q.inject(groups.group(Groups.RID_A, 1, 7, 1), 11, 1, IommuKind.SMMUV3, policy);
        q.inject(groups.group(Groups.RID_A, 2, 8, 1), 10, 2, IommuKind.SMMUV3, policy);

        assertThat(q.forgetOwner(10)).isEqualTo(2);

        assertThat(q.respond(Groups.RID_A, 1, 7).owner()).isEqualTo(11);
        assertThat(q.respond(Groups.RID_A, 2, 8)).isNull();
        assertThat(q.forgotten()).isEqualTo(2);
    }

    @Test
    void groupsWithoutPasidKeepNoPasid() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(0, 128);
        q.inject(groups.groupWithoutPasid(4), 0, 1, IommuKind.VTD, policy);

        assertThat(q.take().guestPasid()).isEqualTo(RoutingTable.NO_PASID);
        assertThat(q.respond(Groups.RID_A, RoutingTable.NO_PASID, 4)).isNotNull();
    }

    @ParameterizedTest(name = "vIOMMU {0}")
    @ValueSource(ints = {0, 1, 2, 77, 4095})
    void vtdTranslationIsABijectionOfThePasidSpaceThatKeepsZero(int viommu) {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(viommu, 128);
        BitSet seen = new BitSet(Pasid.COUNT);
        for (int p = 0; p <= Pasid.MAX; p++) {
            int v = q.toGuestPasid(p, IommuKind.VTD);
            assertThat(v).isBetween(0, Pasid.MAX);
            assertThat(seen.get(v)).isFalse();
            seen.set(v);
            if (q.toHostPasid(v, IommuKind.VTD) != p) throw new AssertionError("round trip of " + p + " gave " + q.toHostPasid(v, IommuKind.VTD));
        }
        assertThat(q.toGuestPasid(0, IommuKind.VTD)).isZero();
    }

    @Test
    void smmuAndRiscvKeepTheGuestsPasids() {
        VirtualPageRequestQueue q = new VirtualPageRequestQueue(5, 128);
        assertThat(q.toGuestPasid(1234, IommuKind.SMMUV3)).isEqualTo(1234);
        assertThat(q.toGuestPasid(1234, IommuKind.RISCV)).isEqualTo(1234);
        assertThat(q.toHostPasid(1234, IommuKind.SMMUV3)).isEqualTo(1234);
    }

    @Test
    void differentVirtualIommusTranslateDifferently() {
        VirtualPageRequestQueue a = new VirtualPageRequestQueue(0, 128);
        VirtualPageRequestQueue b = new VirtualPageRequestQueue(1, 128);
        int differ = 0;
        for (int p = 1; p < 100; p++) if (a.toGuestPasid(p, IommuKind.VTD) != b.toGuestPasid(p, IommuKind.VTD)) differ++;
        assertThat(differ).isGreaterThan(90);
    }
}
