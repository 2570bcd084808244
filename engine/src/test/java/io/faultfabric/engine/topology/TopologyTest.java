package io.faultfabric.engine.topology;

import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.RoutingMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyTest {

    /** Two units; a PF with two VFs (two PASIDs each) behind the first, a lone PF (one PASID) behind the second. */
    private static Topology twoUnits() {
        Topology.Builder b = Topology.builder().mode(RoutingMode.OWNER);
        b.iommu(IommuKind.VTD, 64);
        b.iommu(IommuKind.SMMUV3, 128);
        int v = b.viommu(256);
        assertThat(b.device(0, 0x100, 2, 32, 1, 2)).isZero();
        assertThat(b.ioasidsSoFar()).isEqualTo(6);
        assertThat(b.device(1, 0x200, 0, 8, 100, 1)).isEqualTo(1);
        assertThat(b.owner(OwnerKind.HOST_SVA, -1)).isZero();
        assertThat(b.owner(OwnerKind.GUEST, v)).isEqualTo(1);
        assertThat(b.owners(new byte[] {(byte) OwnerKind.VDPA.ordinal()}, new int[] {-1})).isEqualTo(2);
        b.ioasidOwners(new int[] {0, 0, 1, 1, 2, 2, 1});
        return b.build();
    }

    @Test
    void accessorsDescribeTheShape() {
        Topology t = twoUnits();
        assertThat(t.iommuCount()).isEqualTo(2);
        assertThat(t.iommuKind(1)).isEqualTo(IommuKind.SMMUV3);
        assertThat(t.iommuQueueDepth(1)).isEqualTo(128);
        assertThat(t.deviceCount()).isEqualTo(2);
        assertThat(t.deviceRids(0)).containsExactly(0x100, 0x101, 0x102);
        assertThat(t.devicePfRid(1)).isEqualTo(0x200);
        assertThat(t.deviceFunctionCount(0)).isEqualTo(3);
        assertThat(t.deviceAllocation(1)).isEqualTo(8);
        assertThat(t.deviceIommu(1)).isEqualTo(1);
        assertThat(t.pasidsPerFunction(0)).isEqualTo(2);
        assertThat(t.pasidOf(0, 1)).isEqualTo(2);
        assertThat(t.pasidOf(1, 0)).isEqualTo(100);
        assertThat(t.ioasidOf(0, 2, 1)).isEqualTo(5);
        assertThat(t.ioasidOf(1, 0, 0)).isEqualTo(6);
        assertThat(t.deviceOfRid(0x102)).isZero();
        assertThat(t.deviceOfRid(0x103)).isEqualTo(-1);
        assertThat(t.ioasidCount()).isEqualTo(7);
        assertThat(t.pasidCount()).isEqualTo(7);
        assertThat(t.ownerOfIoasid(4)).isEqualTo(2);
        assertThat(t.ioasidOwnerCount()).isEqualTo(3);
        assertThat(t.ownerCount()).isEqualTo(5);
        assertThat(t.deviceOwnerOf(1)).isEqualTo(4);
        assertThat(t.isDeviceOwner(3)).isTrue();
        assertThat(t.isDeviceOwner(2)).isFalse();
        assertThat(t.ownerKind(1)).isEqualTo(OwnerKind.GUEST);
        assertThat(t.ownerKind(2)).isEqualTo(OwnerKind.VDPA);
        assertThat(t.ownerKind(3)).isEqualTo(OwnerKind.USER_DRIVER);
        assertThat(t.ownerViommu(1)).isZero();
        assertThat(t.ownerViommu(0)).isEqualTo(-1);
        assertThat(t.viommuCount()).isEqualTo(1);
        assertThat(t.viommuQueueDepth(0)).isEqualTo(256);
        assertThat(t.iommuRids(0)).containsExactly(0x100, 0x101, 0x102);
        assertThat(t.iommuRids(1)).containsExactly(0x200);
        assertThat(t.toString()).contains("2 IOMMUs", "7 PASIDs", "mode OWNER");
    }

    @Test
    void withModeKeepsEverythingElse() {
        Topology t = twoUnits().withMode(RoutingMode.DEVICE);
        assertThat(t.mode()).isEqualTo(RoutingMode.DEVICE);
        assertThat(t.ownerCount()).isEqualTo(5);
        assertThat(t.ownerOfIoasid(6)).isEqualTo(1);
        assertThat(t.ownerKind(1)).isEqualTo(OwnerKind.GUEST);
        assertThat(t.deviceRids(0)).containsExactly(0x100, 0x101, 0x102);
        assertThat(t.viommuQueueDepth(0)).isEqualTo(256);
    }

    @Test
    void iommuArgumentsAreChecked() {
        Topology.Builder b = Topology.builder();
        assertThatThrownBy(() -> b.iommu(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("kind");
        assertThatThrownBy(() -> b.iommu(IommuKind.VTD, 0)).hasMessageStartingWith("queueDepth must be 1..32768");
        assertThatThrownBy(() -> b.iommu(IommuKind.SMMUV3, (1 << 19) + 1)).hasMessageStartingWith("queueDepth");
        assertThatThrownBy(() -> b.mode(null)).isInstanceOf(NullPointerException.class).hasMessage("mode");
        assertThatThrownBy(b::build).hasMessageContaining("at least one IOMMU");
    }

    @Test
    void deviceArgumentsAreCheckedByName() {
        Topology.Builder b = Topology.builder();
        b.iommu(IommuKind.VTD, 16);
        b.device(0, 0x100, 1, 4, 1, 1);
        assertThatThrownBy(() -> b.device(1, 0x200, 0, 4, 1, 1)).hasMessageStartingWith("iommu must be 0..0, was 1");
        assertThatThrownBy(() -> b.device(-1, 0x200, 0, 4, 1, 1)).hasMessageStartingWith("iommu");
        assertThatThrownBy(() -> b.device(0, 0x200, 256, 4, 1, 1)).hasMessageStartingWith("vfs must be 0..255");
        assertThatThrownBy(() -> b.device(0, 0x200, -1, 4, 1, 1)).hasMessageStartingWith("vfs");
        assertThatThrownBy(() -> b.device(0, 0x200, 0, 0, 1, 1)).hasMessageStartingWith("allocation must be >= 1");
        assertThatThrownBy(() -> b.device(0, 0x200, 0, 4, 1, -1)).hasMessageStartingWith("pasidsPerFunction");
        assertThatThrownBy(() -> b.device(0, 0x200, 0, 4, -1, 1)).hasMessageStartingWith("pasidBase ");
        assertThatThrownBy(() -> b.device(0, 0x200, 0, 4, (1 << 20) - 1, 2)).hasMessageStartingWith("pasidBase + pasidsPerFunction - 1");
        assertThatThrownBy(() -> b.device(0, 0xFFFF, 1, 4, 1, 1)).hasMessageStartingWith("rid of function 1");
        assertThatThrownBy(() -> b.device(0, -1, 0, 4, 1, 1)).hasMessageStartingWith("rid of function 0");
        assertThatThrownBy(() -> b.device(0, 0x0FF, 1, 4, 1, 1)).hasMessageContaining("is used by another device");
        // a refused device leaves no trace: its RIDs are still free
        b.device(0, 0x0FF, 0, 4, 1, 1);
        assertThat(b.ioasidsSoFar()).isEqualTo(3);
    }

    @Test
    void ownerArgumentsAreCheckedByName() {
        Topology.Builder b = Topology.builder();
        b.iommu(IommuKind.VTD, 16);
        assertThatThrownBy(() -> b.owner(null, -1)).isInstanceOf(NullPointerException.class).hasMessage("kind");
        assertThatThrownBy(() -> b.owner(OwnerKind.GUEST, -1)).hasMessageContaining("viommu");
        assertThatThrownBy(() -> b.owner(OwnerKind.GUEST, 0)).hasMessageContaining("viommu");
        assertThatThrownBy(() -> b.owner(OwnerKind.HOST_SVA, 0)).hasMessageContaining("viommu must be -1 for HOST_SVA");
        assertThatThrownBy(() -> b.viommu(127)).hasMessage("viommu queueDepth must be 128..16384 (the guest page request queue's entries), was 127");
        assertThatThrownBy(() -> b.viommu(16_385)).hasMessageEndingWith("was 16385");
        assertThatThrownBy(() -> b.owners(new byte[2], new int[1])).hasMessageContaining("kinds and viommus");
    }

    @Test
    void bulkOwnersAreCheckedLikeSingleOnes() {
        Topology.Builder b = Topology.builder();
        b.iommu(IommuKind.VTD, 16);
        b.viommu(128);
        assertThatThrownBy(() -> b.owners(new byte[] {(byte) OwnerKind.values().length}, new int[] {-1})).hasMessageContaining("kinds[0]");
        assertThatThrownBy(() -> b.owners(new byte[] {-1}, new int[] {-1})).hasMessageContaining("kinds[0]");
        assertThatThrownBy(() -> b.owners(new byte[] {0, (byte) OwnerKind.GUEST.ordinal()}, new int[] {-1, 1})).hasMessageContaining("viommus[1]");
        assertThatThrownBy(() -> b.owners(new byte[] {(byte) OwnerKind.HOST_SVA.ordinal()}, new int[] {0})).hasMessageContaining("viommus[0]");
        // a refused batch adds no owner
        assertThat(b.owner(OwnerKind.HOST_SVA, -1)).isZero();
    }

    @Test
    void ioasidOwnersAreCheckedAtBuild() {
        Topology.Builder b = Topology.builder();
        b.iommu(IommuKind.VTD, 16);
        b.device(0, 0x100, 0, 4, 1, 2);
        b.owner(OwnerKind.HOST_SVA, -1);
        b.ioasidOwners(new int[] {0, 1});
        assertThatThrownBy(b::build).hasMessageContaining("ioasid 1 names owner 1; owners are 0..0");
        b.ioasidOwners(new int[] {0, -1});
        assertThatThrownBy(b::build).hasMessageContaining("ioasid 1 names owner -1");
        b.ioasidOwners(new int[] {0});
        assertThatThrownBy(b::build).hasMessageContaining("ioasidOwners").hasMessageContaining("2 IOASIDs");
        b.ioasidOwners(new int[] {0, 0});
        assertThat(b.build().ioasidCount()).isEqualTo(2);
    }
}
