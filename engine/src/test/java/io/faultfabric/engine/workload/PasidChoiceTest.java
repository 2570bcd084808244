package io.faultfabric.engine.workload;

import io.faultfabric.engine.Mix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasidChoiceTest {

    private static int[] histogram(PasidChoice c, int n, int draws) {
        int[] h = new int[n];
        for (int i = 0; i < draws; i++) h[c.pick(Mix.unit(Mix.hash(5, 0, i, 0)), n)]++;
        return h;
    }

    @Test
    void zipfPicksRankZeroFarMoreOftenThanTheMedianRank() {
        int[] h = histogram(PasidChoice.zipf(1.0), 1000, 200_000);
        // expected share of rank 0 is 1/H(1000) ~ 13%; of rank 500 about 1/500 of that
        assertThat(h[0]).isGreaterThan(20_000);
        assertThat(h[0]).isGreaterThan(50 * Math.max(1, h[500]));
        for (int r = 1; r < 10; r++) assertThat(h[r - 1]).isGreaterThan(h[r]);
    }

    @Test
    void uniformSpreadsEvenly() {
        int[] h = histogram(PasidChoice.UNIFORM, 10, 100_000);
        for (int c : h) assertThat(c).isBetween(9_000, 11_000);
    }

    @Test
    void picksStayInRangeAtTheEdges() {
        for (PasidChoice c : new PasidChoice[] {PasidChoice.UNIFORM, PasidChoice.zipf(0.5), PasidChoice.zipf(3)}) {
            assertThat(c.pick(0.0, 7)).isZero();
            assertThat(c.pick(Math.nextDown(1.0), 7)).isBetween(0, 6);
            assertThat(c.pick(0.5, 1)).isZero();
        }
        assertThat(PasidChoice.UNIFORM.pick(Math.nextDown(1.0), 7)).isEqualTo(6);
        assertThat(PasidChoice.zipf(1).pick(Math.nextDown(1.0), 7)).isEqualTo(6);
    }

    @Test
    void choicesWithDifferentSizesOrExponentsNeverShareATable() {
        // (n, exponent) pairs whose bits collide when n << 32 is xor-ed with the exponent's bits
        double e = Double.longBitsToDouble(Double.doubleToLongBits(1.0) ^ (1L << 32)); // 1.00000095
        // zipf(~1) over 3: cdf 0.545, 0.818, 1.0, so u = 0.9 is rank 2
        assertThat(PasidChoice.zipf(1.0).pick(0.9, 2)).isEqualTo(1);
        assertThat(PasidChoice.zipf(e).pick(0.9, 3)).isEqualTo(2);
        double f = Double.longBitsToDouble(Double.doubleToLongBits(2.0) ^ (6L << 32));
        assertThat(PasidChoice.zipf(f).pick(0.95, 2)).isEqualTo(1);
        // zipf(2) over 4: cdf 0.702, 0.877, 0.955, 1.0
        assertThat(PasidChoice.zipf(2.0).pick(0.96, 4)).isEqualTo(3);
        assertThat(PasidChoice.zipf(2.0).pick(0.90, 4)).isEqualTo(2);
    }

    @Test
    void exponentIsChecked() {
        assertThatThrownBy(() -> PasidChoice.zipf(0)).hasMessageContaining("zipf exponent must be in (0, 10]");
        assertThatThrownBy(() -> PasidChoice.zipf(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasidChoice.zipf(10.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasidChoice.zipf(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PasidChoice(null, 1)).hasMessage("kind");
        assertThat(PasidChoice.zipf(10).toString()).isEqualTo("zipf(10.0)");
        assertThat(PasidChoice.UNIFORM.toString()).isEqualTo("uniform");
    }
}
