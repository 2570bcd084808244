package io.faultfabric.engine.owner;

import io.faultfabric.engine.Faults;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import org.junit.jupiter.api.Test;

import static io.faultfabric.engine.Faults.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultPolicyTest {

    private static PageRequestGroup group(long seq, int size) {
        var rs = new io.faultfabric.engine.PageRequest[size];
        for (int i = 0; i < size; i++) rs[i] = req(0x100, 3, 1, i == size - 1, seq);
        return Faults.assembled(rs);
    }

    @Test
    void argumentsAreCheckedByName() {
        assertThatThrownBy(() -> new FaultPolicy(null, 0, 0, 1)).hasMessage("serviceTime");
        assertThatThrownBy(() -> new FaultPolicy(ServiceTime.ZERO, -0.1, 0, 1)).hasMessageStartingWith("invalidRatio");
        assertThatThrownBy(() -> new FaultPolicy(ServiceTime.ZERO, 0, 1.1, 1)).hasMessageStartingWith("failureRatio");
        assertThatThrownBy(() -> new FaultPolicy(ServiceTime.ZERO, Double.NaN, 0, 1)).hasMessageStartingWith("invalidRatio");
        assertThatThrownBy(() -> new FaultPolicy(ServiceTime.ZERO, 0.6, 0.6, 1)).hasMessageStartingWith("invalidRatio + failureRatio");
        assertThatThrownBy(() -> new FaultPolicy(ServiceTime.ZERO, 0, 0, 0)).hasMessageStartingWith("queueCapacity");
        assertThatThrownBy(() -> new ServiceTime(ServiceTime.Shape.CONSTANT, -1, 0)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> ServiceTime.uniform(5, 4)).hasMessageContaining("min <= max");
    }

    @Test
    void decisionsDependOnlyOnSeedAndGroup() {
        FaultPolicy p = new FaultPolicy(ServiceTime.ZERO, 0.3, 0.2, 16);
        int[] counts = new int[3];
        for (long s = 0; s < 20_000; s++) {
            FaultPolicy.Decision d = p.decide(9, group(s, 1));
            assertThat(p.decide(9, group(s, 1))).isEqualTo(d);
            counts[d.ordinal()]++;
        }
        assertThat(counts[FaultPolicy.Decision.HANDLER_FAILS.ordinal()]).isBetween(3_600, 4_400);
        assertThat(counts[FaultPolicy.Decision.INVALID.ordinal()]).isBetween(4_400, 5_200); // 0.8 * 0.3
        assertThat(FaultPolicy.DEFAULT.decide(9, group(1, 3))).isEqualTo(FaultPolicy.Decision.SUCCESS);
    }

    @Test
    void biggerGroupsAreInvalidMoreOftenBecauseAnyFailingRequestStopsTheGroup() {
        FaultPolicy p = new FaultPolicy(ServiceTime.ZERO, 0.1, 0, 16);
        int one = 0, eight = 0;
        for (long s = 0; s < 10_000; s++) {
            if (p.decide(1, group(s, 1)) == FaultPolicy.Decision.INVALID) one++;
            if (p.decide(1, group(s, 8)) == FaultPolicy.Decision.INVALID) eight++;
        }
        assertThat(one).isBetween(800, 1_200);
        assertThat(eight).isBetween(5_300, 6_200); // 1 - 0.9^8 = 57%
    }

    @Test
    void ownersSendOnlySuccessOrInvalid() {
        for (OwnerKind k : OwnerKind.values()) {
            assertThat(FaultPolicy.codeFor(k, FaultPolicy.Decision.SUCCESS)).isEqualTo(ResponseCode.SUCCESS);
            assertThat(FaultPolicy.codeFor(k, FaultPolicy.Decision.INVALID)).isEqualTo(ResponseCode.INVALID);
            assertThat(k.mayAnswer(FaultPolicy.codeFor(k, FaultPolicy.Decision.HANDLER_FAILS))).isTrue();
        }
    }

    @Test
    void serviceTimesAreSampledFromTheirShape() {
        assertThat(ServiceTime.ZERO.sampleNanos(123)).isZero();
        assertThat(ServiceTime.constant(3_500).sampleNanos(123)).isEqualTo(3_500);
        ServiceTime u = ServiceTime.uniform(3_500, 60_000);
        ServiceTime e = ServiceTime.exponential(45_000);
        double sumE = 0;
        for (long h = 0; h < 20_000; h++) {
            assertThat(u.sampleNanos(io.faultfabric.engine.Mix.mix(h))).isBetween(3_500L, 60_000L);
            long x = e.sampleNanos(io.faultfabric.engine.Mix.mix(h));
            assertThat(x).isNotNegative();
            sumE += x;
        }
        assertThat(sumE / 20_000).isBetween(42_000.0, 48_000.0);
        assertThat(u.meanNanos()).isEqualTo(31_750);
        assertThat(e.meanNanos()).isEqualTo(45_000);
        assertThat(u.toString()).isEqualTo("uniform(3.5us..60.0us)");
        FaultPolicy p = FaultPolicy.DEFAULT.withServiceTime(ServiceTime.constant(7));
        assertThat(p.serviceNanos(1, group(1, 1))).isEqualTo(7);
        assertThat(p.queueCapacity()).isEqualTo(FaultPolicy.DEFAULT.queueCapacity());
    }
}
