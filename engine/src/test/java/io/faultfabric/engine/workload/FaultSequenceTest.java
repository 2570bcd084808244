package io.faultfabric.engine.workload;

import io.faultfabric.engine.DeviceState;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageAddress;
import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.Permissions;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.topology.Topology;
import io.faultfabric.engine.topology.UniformTopology;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultSequenceTest {
    private static final Topology TOPOLOGY = new UniformTopology(1, IommuKind.VTD, 64, 2, 3, 64, 1 << 12, 1,
        UniformTopology.Assignment.CONTIGUOUS, List.of(OwnerKind.HOST_SVA), 0, 1, RoutingMode.OWNER).build();

    /** What a device with ample credits issues in {@code groups} groups, as (RID, PASID, address, perm, L, sequence). */
    private static List<String> draw(long seed, int device, int groups, PasidChoice choice, int min, int max) {
        FaultSequence s = new FaultSequence(seed, TOPOLOGY, device, choice, min, max);
        DeviceState d = new DeviceState(TOPOLOGY.deviceRids(device), 1 << 20);
        List<String> out = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int n = s.issueNext(d, 1234L * g, r -> out.add(r.rid() + "/" + r.pasid() + "/" + r.address() + "/" + r.perm() + "/" + r.last() + "/" + r.sequence()));
            assertThat(n).isBetween(min, max);
        }
        return out;
    }

    @Test
    void theSameSeedDrawsTheSameGroups() {
        assertThat(draw(42, 1, 300, PasidChoice.UNIFORM, 1, 5)).isEqualTo(draw(42, 1, 300, PasidChoice.UNIFORM, 1, 5));
        assertThat(draw(42, 0, 300, PasidChoice.zipf(1.1), 1, 5)).isEqualTo(draw(42, 0, 300, PasidChoice.zipf(1.1), 1, 5));
    }

    @Test
    void anotherSeedOrDeviceDrawsOtherGroups() {
        assertThat(draw(42, 1, 100, PasidChoice.UNIFORM, 1, 5)).isNotEqualTo(draw(43, 1, 100, PasidChoice.UNIFORM, 1, 5));
        assertThat(draw(42, 0, 100, PasidChoice.UNIFORM, 1, 5)).isNotEqualTo(draw(42, 1, 100, PasidChoice.UNIFORM, 1, 5));
    }

    @Test
    void groupsAreWellFormedAndUseEveryFunctionAndPasid() {
        FaultSequence s = new FaultSequence(7, TOPOLOGY, 1, PasidChoice.UNIFORM, 2, 4);
        DeviceState d = new DeviceState(TOPOLOGY.deviceRids(1), 1 << 20);
        java.util.Set<Integer> rids = new java.util.HashSet<>(), pasids = new java.util.HashSet<>();
        for (int g = 0; g < 500; g++) {
            List<PageRequest> group = new ArrayList<>();
            long expected = s.drawn();
            assertThat(s.issueNext(d, 99, group::add)).isEqualTo(group.size());
            assertThat(group.size()).isBetween(2, 4);
            for (int i = 0; i < group.size(); i++) {
                PageRequest r = group.get(i);
                assertThat(r.last()).isEqualTo(i == group.size() - 1);
                assertThat(r.rid()).isEqualTo(group.get(0).rid());
                assertThat(r.prgi()).isEqualTo(group.get(0).prgi());
                assertThat(r.pasid()).isEqualTo(group.get(0).pasid());
                assertThat(r.sequence()).isEqualTo(expected);
                assertThat(r.issuedNanos()).isEqualTo(99);
                assertThat(PageAddress.isCanonical48(r.address())).isTrue();
                assertThat(Permissions.readsOrWrites(r.perm())).isTrue();
                assertThat(r.isStopMarker()).isFalse();
            }
            rids.add(group.get(0).rid());
            pasids.add(group.get(0).pasid());
        }
        assertThat(rids).containsExactlyInAnyOrder(0x104, 0x105, 0x106, 0x107);
        assertThat(pasids).hasSize(TOPOLOGY.pasidsPerFunction(1));
        assertThat(s.drawn()).isEqualTo(500);
        assertThat(d.ledger().groupsIssued).isEqualTo(500);
    }

    @Test
    void nothingIsDrawnWithoutCreditsForTheWholeGroup() {
        FaultSequence s = new FaultSequence(7, TOPOLOGY, 0, PasidChoice.UNIFORM, 3, 3);
        DeviceState d = new DeviceState(TOPOLOGY.deviceRids(0), 5);
        assertThat(s.nextSize()).isEqualTo(3);
        assertThat(s.issueNext(d, 0, r -> {})).isEqualTo(3);
        List<PageRequest> sent = new ArrayList<>();
        assertThat(s.issueNext(d, 0, sent::add)).isZero();
        assertThat(sent).isEmpty();
        assertThat(s.drawn()).isEqualTo(1);
        assertThat(d.creditsInUse()).isEqualTo(3);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new FaultSequence(1, TOPOLOGY, 0, PasidChoice.UNIFORM, 0, 1)).hasMessageContaining("1 <= min <= max <= 512");
        assertThatThrownBy(() -> new FaultSequence(1, TOPOLOGY, 0, PasidChoice.UNIFORM, 3, 2)).hasMessageContaining("were 3..2");
        assertThatThrownBy(() -> new FaultSequence(1, TOPOLOGY, 0, PasidChoice.UNIFORM, 1, 513)).hasMessageContaining("<= 512");
        assertThatThrownBy(() -> new FaultSequence(1, TOPOLOGY, 0, null, 1, 1)).hasMessage("choice");
        Topology.Builder b = Topology.builder();
        b.iommu(IommuKind.VTD, 4);
        b.device(0, 0x100, 0, 4, 1, 0);
        Topology bare = b.build();
        assertThatThrownBy(() -> new FaultSequence(1, bare, 0, PasidChoice.UNIFORM, 1, 1)).hasMessageContaining("device 0 has no PASIDs");
    }
}
