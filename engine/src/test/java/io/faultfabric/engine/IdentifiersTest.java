package io.faultfabric.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.faultfabric.engine.Faults.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifiersTest {

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x10000, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void ridOutsideSixteenBitsIsRefusedNamingTheArgument(int v) {
        assertThatThrownBy(() -> new Rid(v)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rid").hasMessageContaining(String.valueOf(v));
        assertThatThrownBy(() -> Rid.check(v, "requester")).hasMessageStartingWith("requester must be a 16-bit requester id");
    }

    @Test
    void ridEdgesAndFieldsRoundTrip() {
        assertThat(new Rid(0).value()).isZero();
        assertThat(new Rid(0xFFFF).value()).isEqualTo(0xFFFF);
        Rid r = Rid.of(0x3a, 0x1f, 7);
        assertThat(r.value()).isEqualTo(0x3aff);
        assertThat(r.bus()).isEqualTo(0x3a);
        assertThat(r.device()).isEqualTo(0x1f);
        assertThat(r.function()).isEqualTo(7);
        assertThat(r).hasToString("3a:1f.7");
    }

    @Test
    void ridOfRefusesEachFieldOutOfRangeByName() {
        assertThatThrownBy(() -> Rid.of(256, 0, 0)).hasMessageStartingWith("bus must be 0..255");
        assertThatThrownBy(() -> Rid.of(-1, 0, 0)).hasMessageStartingWith("bus");
        assertThatThrownBy(() -> Rid.of(0, 32, 0)).hasMessageStartingWith("device must be 0..31");
        assertThatThrownBy(() -> Rid.of(0, 0, 8)).hasMessageStartingWith("function must be 0..7");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 1 << 20, Integer.MAX_VALUE})
    void pasidOutsideTwentyBitsIsRefused(int v) {
        assertThatThrownBy(() -> new Pasid(v)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pasid must be a 20-bit PASID");
        assertThatThrownBy(() -> Pasid.check(v, "pasidBase")).hasMessageStartingWith("pasidBase ");
    }

    @Test
    void pasidEdgesAreAccepted() {
        assertThat(new Pasid(0).value()).isZero();
        assertThat(new Pasid(Pasid.MAX).value()).isEqualTo(1_048_575);
        assertThat(Pasid.COUNT).isEqualTo(1 << 20);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 512, 1000})
    void prgiOutsideNineBitsIsRefused(int v) {
        assertThatThrownBy(() -> new Prgi(v)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prgi must be a 9-bit PRGI 0..511");
    }

    @Test
    void prgiEdgesAreAccepted() {
        assertThat(new Prgi(0).value()).isZero();
        assertThat(new Prgi(511).value()).isEqualTo(Prgi.MAX);
        assertThat(Prgi.COUNT).isEqualTo(512);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x10000})
    void stagOutsideSixteenBitsIsRefused(int v) {
        assertThatThrownBy(() -> new Stag(v)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stag must be a 16-bit stall tag");
        assertThat(new Stag(0xFFFF).value()).isEqualTo(Stag.MAX);
    }

    @Test
    void ioasidMustBeNonNegative() {
        assertThatThrownBy(() -> new IoasidId(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ioasid must be >= 0");
        assertThat(new IoasidId(0).value()).isZero();
        assertThat(new IoasidId(Integer.MAX_VALUE).value()).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 16, 0x100})
    void permissionsOutsideRwxpAreRefused(int perm) {
        assertThatThrownBy(() -> Permissions.check(perm, "perm")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("perm must combine");
    }

    @Test
    void permissionsReadOrWrite() {
        for (int p = 0; p <= Permissions.ALL; p++) {
            assertThat(Permissions.check(p, "perm")).isEqualTo(p);
            assertThat(Permissions.readsOrWrites(p)).isEqualTo((p & 3) != 0);
        }
        assertThat(Permissions.toString(Permissions.READ | Permissions.PRIV)).isEqualTo("r--p");
        assertThat(Permissions.toString(Permissions.ALL)).isEqualTo("rwxp");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 0x800, 0xFFF, 0x1001, 0x7fff_ffff_f800L})
    void unalignedAddressIsRefused(long address) {
        assertThatThrownBy(() -> PageAddress.check(address, "address")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 KiB aligned");
    }

    @Test
    void canonicalMeansBits63To47Equal() {
        assertThat(PageAddress.isCanonical48(0)).isTrue();
        assertThat(PageAddress.isCanonical48(0x0000_7fff_ffff_f000L)).isTrue();
        assertThat(PageAddress.isCanonical48(0xffff_8000_0000_0000L)).isTrue();
        assertThat(PageAddress.isCanonical48(0x0000_8000_0000_0000L)).isFalse();
        assertThat(PageAddress.isCanonical48(0xffff_7fff_ffff_f000L)).isFalse();
        assertThat(PageAddress.isCanonical48(0x1000_0000_0000_0000L)).isFalse();
    }

    @Test
    void pageRequestChecksEveryFieldByName() {
        assertThatThrownBy(() -> new PageRequest(-1, 1, true, 0, 0, 1, true, 0, 0)).hasMessageStartingWith("rid ");
        assertThatThrownBy(() -> new PageRequest(1, 1 << 20, true, 0, 0, 1, true, 0, 0)).hasMessageStartingWith("pasid ");
        assertThatThrownBy(() -> new PageRequest(1, 1, true, 512, 0, 1, true, 0, 0)).hasMessageStartingWith("prgi ");
        assertThatThrownBy(() -> new PageRequest(1, 1, true, 0, 0x10, 1, true, 0, 0)).hasMessageStartingWith("address ");
        assertThatThrownBy(() -> new PageRequest(1, 1, true, 0, 0, 16, true, 0, 0)).hasMessageStartingWith("perm ");
    }

    @Test
    void pasidGivenWithoutPasidPresentIsRefused() {
        assertThatThrownBy(() -> new PageRequest(1, 7, false, 0, 0, 1, true, 0, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("pasid must be 0 when pasidPresent is false, was 7");
        // an out-of-range value is not checked as a PASID when there is none, but it is still refused
        assertThatThrownBy(() -> new PageRequest(1, -5, false, 0, 0, 1, true, 0, 0)).hasMessageContaining("pasidPresent");
        assertThat(new PageRequest(1, 0, false, 0, 0, 1, true, 0, 0).pasidPresent()).isFalse();
    }

    @Test
    void stopMarkerIsPasidLastAndNeitherReadNorWrite() {
        assertThat(Faults.stop(0x100, 5, 3).isStopMarker()).isTrue();
        assertThat(PageRequest.stopMarker(0x100, 5, 3, 0).last()).isTrue();
        assertThat(PageRequest.stopMarker(0x100, 5, 3, 0).perm()).isZero();
        // without a PASID the same bits are an ordinary (malformed) request
        assertThat(Faults.noPasid(0x100, 3, 0, true).isStopMarker()).isFalse();
        // L=0 with R=W=0 is not a stop marker either
        assertThat(Faults.withPerm(0x100, 5, 3, 0, false).isStopMarker()).isFalse();
        assertThat(Faults.withPerm(0x100, 5, 3, Permissions.READ, true).isStopMarker()).isFalse();
    }

    @Test
    void pageRequestOfCarriesTheValueTypes() {
        PageRequest r = PageRequest.of(new Rid(0x100), new Pasid(9), new Prgi(4), page(3), Permissions.WRITE, true);
        assertThat(r.rid()).isEqualTo(0x100);
        assertThat(r.pasid()).isEqualTo(9);
        assertThat(r.pasidPresent()).isTrue();
        assertThat(r.prgi()).isEqualTo(4);
        assertThat(r.address()).isEqualTo(3 * 4096L);
        assertThat(r.toString()).contains("pasid=9", "prgi=4", "-w--", " L");
    }
}
