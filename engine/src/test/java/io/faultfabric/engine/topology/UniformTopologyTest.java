package io.faultfabric.engine.topology;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.RoutingMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.faultfabric.engine.topology.UniformTopology.Assignment.CONTIGUOUS;
import static io.faultfabric.engine.topology.UniformTopology.Assignment.STRIDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UniformTopologyTest {
    private static final List<OwnerKind> SVA = List.of(OwnerKind.HOST_SVA);

    private static UniformTopology of(int iommus, int queueDepth, int devices, int vfs, int pasids, int allocation, int perOwner,
                                      List<OwnerKind> kinds, int viommus) {
        return new UniformTopology(iommus, IommuKind.VTD, queueDepth, devices, vfs, pasids, allocation, perOwner, CONTIGUOUS, kinds, viommus, 128, RoutingMode.OWNER);
    }

    @Test
    void eachArgumentIsCheckedByName() {
        assertThatThrownBy(() -> of(0, 16, 1, 0, 1, 1, 1, SVA, 0)).hasMessageStartingWith("iommus must be >= 1");
        assertThatThrownBy(() -> of(1, 0, 1, 0, 1, 1, 1, SVA, 0)).hasMessageStartingWith("queueDepth");
        assertThatThrownBy(() -> of(1, 16, 0, 0, 1, 1, 1, SVA, 0)).hasMessageStartingWith("devicesPerIommu");
        assertThatThrownBy(() -> of(1, 16, 1, 256, 256, 1, 1, SVA, 0)).hasMessageStartingWith("vfsPerDevice");
        assertThatThrownBy(() -> of(1, 16, 1, -1, 1, 1, 1, SVA, 0)).hasMessageStartingWith("vfsPerDevice");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 0, 1, 1, SVA, 0)).hasMessageStartingWith("pasids");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 1, 0, 1, SVA, 0)).hasMessageStartingWith("allocation");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 1, 1, 0, SVA, 0)).hasMessageStartingWith("ioasidsPerOwner");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 1, 1, 1, List.of(), 0)).hasMessageStartingWith("ownerKinds");
        assertThatThrownBy(() -> of(1, 16, 2, 0, 3, 1, 1, SVA, 0)).hasMessageContaining("pasids (3) must be a multiple of the number of functions (2)");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 4, 1, 3, SVA, 0)).hasMessageContaining("multiple of ioasidsPerOwner (3)");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 2 << 20, 1, 1, SVA, 0)).hasMessageContaining("pasids per function");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 1, 1, 1, List.of(OwnerKind.GUEST), 0)).hasMessageStartingWith("viommus must be >= 1 when ownerKinds includes GUEST");
        assertThatThrownBy(() -> of(1, 16, 1, 0, 1, 1, 1, SVA, -1)).hasMessageStartingWith("viommus");
        assertThatThrownBy(() -> of(256, 16, 256, 0, 65536, 1, 1, SVA, 0)).hasMessageContaining("iommus x devicesPerIommu x (vfsPerDevice+1)");
        assertThatThrownBy(() -> new UniformTopology(1, null, 16, 1, 0, 1, 1, 1, CONTIGUOUS, SVA, 0, 1, RoutingMode.OWNER)).hasMessage("kind");
        assertThatThrownBy(() -> new UniformTopology(1, IommuKind.VTD, 16, 1, 0, 1, 1, 1, null, SVA, 0, 1, RoutingMode.OWNER)).hasMessage("assignment");
        assertThatThrownBy(() -> new UniformTopology(1, IommuKind.VTD, 16, 1, 0, 1, 1, 1, CONTIGUOUS, SVA, 0, 1, null)).hasMessage("mode");
        assertThatThrownBy(() -> new UniformTopology(1, IommuKind.VTD, 16, 1, 0, 1, 1, 1, CONTIGUOUS, null, 0, 1, RoutingMode.OWNER)).hasMessage("ownerKinds");
    }

    @Test
    void hugeCountsAreRefusedNotWrappedAround() {
        // 65536 x 65536 functions wraps a 32-bit int to 0
        assertThatThrownBy(() -> of(65536, 16, 65536, 0, 1, 1, 1, SVA, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iommus x devicesPerIommu x (vfsPerDevice+1)");
        assertThatThrownBy(() -> of(1 << 16, 16, 1 << 8, 255, 1, 1, 1, SVA, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("functions do not fit");
    }

    @Test
    void smallIsOneVtdUnitWithFourDevicesAndSixtyFourOwners() {
        UniformTopology u = UniformTopology.small();
        Topology t = u.build();
        assertThat(u.functions()).isEqualTo(4);
        assertThat(u.pasidsPerFunction()).isEqualTo(16);
        assertThat(u.owners()).isEqualTo(64);
        assertThat(t.iommuCount()).isEqualTo(1);
        assertThat(t.iommuKind(0)).isEqualTo(IommuKind.VTD);
        assertThat(t.iommuQueueDepth(0)).isEqualTo(2048);
        assertThat(t.deviceCount()).isEqualTo(4);
        assertThat(t.pasidCount()).isEqualTo(64);
        assertThat(t.ioasidOwnerCount()).isEqualTo(64);
        // PASID 0 is left to DMA without PASID
        assertThat(t.pasidOf(0, 0)).isEqualTo(1);
        assertThat(t.devicePfRid(0)).isEqualTo(0x100);
    }

    @Test
    void ownersHoldContiguousOrStridedIoasids() {
        UniformTopology c = new UniformTopology(1, IommuKind.SMMUV3, 64, 2, 1, 8, 4, 2, CONTIGUOUS, SVA, 0, 1, RoutingMode.OWNER);
        Topology tc = c.build();
        assertThat(tc.ioasidOwnerCount()).isEqualTo(4);
        assertThat(new int[] {tc.ownerOfIoasid(0), tc.ownerOfIoasid(1), tc.ownerOfIoasid(2), tc.ownerOfIoasid(7)}).containsExactly(0, 0, 1, 3);
        Topology ts = new UniformTopology(1, IommuKind.SMMUV3, 64, 2, 1, 8, 4, 2, STRIDED, SVA, 0, 1, RoutingMode.OWNER).build();
        assertThat(new int[] {ts.ownerOfIoasid(0), ts.ownerOfIoasid(1), ts.ownerOfIoasid(4), ts.ownerOfIoasid(7)}).containsExactly(0, 1, 0, 3);
        // two devices of a PF and one VF each, RIDs packed from 0x100
        assertThat(tc.deviceRids(1)).containsExactly(0x102, 0x103);
    }

    @Test
    void ownerKindsAreTakenInTurnAndGuestsSpreadOverVIommus() {
        Topology t = new UniformTopology(1, IommuKind.VTD, 64, 1, 0, 6, 4, 1, CONTIGUOUS,
            List.of(OwnerKind.GUEST, OwnerKind.HOST_SVA), 2, 512, RoutingMode.DEVICE).build();
        assertThat(t.mode()).isEqualTo(RoutingMode.DEVICE);
        assertThat(t.viommuCount()).isEqualTo(2);
        assertThat(t.viommuQueueDepth(1)).isEqualTo(512);
        assertThat(t.ownerKind(0)).isEqualTo(OwnerKind.GUEST);
        assertThat(t.ownerKind(1)).isEqualTo(OwnerKind.HOST_SVA);
        assertThat(new int[] {t.ownerViommu(0), t.ownerViommu(2), t.ownerViommu(4), t.ownerViommu(1)}).containsExactly(0, 1, 0, -1);
    }

    @Test
    void theWholePasidSpaceOnOneFunctionStartsAtZero() {
        Topology t = new UniformTopology(1, IommuKind.RISCV, 64, 1, 0, 1 << 20, 4, 1 << 20, CONTIGUOUS, SVA, 0, 1, RoutingMode.OWNER).build();
        assertThat(t.pasidOf(0, 0)).isZero();
        assertThat(t.pasidOf(0, (1 << 20) - 1)).isEqualTo((1 << 20) - 1);
        assertThat(t.ioasidOwnerCount()).isEqualTo(1);
    }
}
