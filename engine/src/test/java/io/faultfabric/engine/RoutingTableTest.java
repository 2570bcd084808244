package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingTableTest {
    private final RoutingTable t = new RoutingTable(4, io -> 1000 + io);

    @Test
    void attachThenLookUp() {
        t.attach(0x100, 5, 42);
        assertThat(t.ioasidAt(0x100, 5)).isEqualTo(42);
        assertThat(t.ioasidAt(0x100, 6)).isEqualTo(-1);
        assertThat(t.ioasidAt(0x101, 5)).isEqualTo(-1);
        assertThat(t.ownerOf(42)).isEqualTo(1042);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void attachOnAnAttachedPasidIsRefused() {
        t.attach(0x100, 5, 42);
        assertThatThrownBy(() -> t.attach(0x100, 5, 43)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("already attached to ioasid 42");
        assertThat(t.ioasidAt(0x100, 5)).isEqualTo(42);
    }

    @Test
    void detachMarksDrainingUntilFreed() {
        t.attach(0x100, 5, 42);
        assertThat(t.detach(0x100, 5)).isEqualTo(42);
        assertThat(t.isDraining(0x100, 5)).isTrue();
        assertThat(t.ioasidAt(0x100, 5)).isEqualTo(-1);
        assertThat(t.drainingCount()).isEqualTo(1);
        assertThatThrownBy(() -> t.attach(0x100, 5, 43)).isInstanceOf(IllegalStateException.class).hasMessageContaining("still draining");
        assertThatThrownBy(() -> t.detach(0x100, 5)).isInstanceOf(IllegalStateException.class).hasMessageContaining("(it is draining)");
        assertThatThrownBy(() -> t.replace(0x100, 5, 44)).isInstanceOf(IllegalStateException.class).hasMessageContaining("not attached");
        t.freeDrained(0x100, 5);
        assertThat(t.isDraining(0x100, 5)).isFalse();
        assertThat(t.drainingCount()).isZero();
        t.attach(0x100, 5, 43);
        assertThat(t.ioasidAt(0x100, 5)).isEqualTo(43);
    }

    @Test
    void detachOfAnUnattachedPasidIsRefused() {
        assertThatThrownBy(() -> t.detach(0x100, 5)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is not attached");
        assertThatThrownBy(() -> t.freeDrained(0x100, 5)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is not draining");
    }

    @Test
    void replaceSwitchesTheTableAndReturnsTheOld() {
        t.attach(0x100, 5, 42);
        assertThat(t.replace(0x100, 5, 50)).isEqualTo(42);
        assertThat(t.ioasidAt(0x100, 5)).isEqualTo(50);
        assertThat(t.drainingCount()).isZero();
        assertThatThrownBy(() -> t.replace(0x100, 6, 50)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badIdsAreRefusedByName() {
        assertThatThrownBy(() -> t.attach(-1, 5, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rid ");
        assertThatThrownBy(() -> t.attach(0x100, 1 << 20 | 1, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pasid ");
        assertThatThrownBy(() -> t.attach(0x100, -1, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pasid ");
        assertThatThrownBy(() -> t.attach(0x100, 5, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ioasid ");
        t.attach(0x100, 5, 1);
        assertThatThrownBy(() -> t.replace(0x100, 5, -2)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ioasid ");
    }

    @Test
    void ridLevelAttachmentIsKeptUnderNoPasid() {
        t.attach(0x100, RoutingTable.NO_PASID, 7);
        assertThat(t.ioasidAt(0x100, RoutingTable.NO_PASID)).isEqualTo(7);
        assertThat(t.ioasidAt(0x100, 0)).isEqualTo(-1);
        t.attach(0x100, 0, 8);
        assertThat(t.ioasidAt(0x100, 0)).isEqualTo(8);
        assertThat(t.ioasidAt(0x100, RoutingTable.NO_PASID)).isEqualTo(7);
    }

    @Test
    void forEachDrainingVisitsOnlyDrainingPasids() {
        t.attach(0x100, 1, 1);
        t.attach(0x100, 2, 2);
        t.attach(0xFFFF, Pasid.MAX, 3);
        t.detach(0x100, 2);
        t.detach(0xFFFF, Pasid.MAX);
        List<Long> keys = new ArrayList<>();
        t.forEachDraining((k, v) -> keys.add(k));
        assertThat(keys).containsExactlyInAnyOrder(((long) 0x100 << 21) | 2, ((long) 0xFFFF << 21) | Pasid.MAX);
    }
}
