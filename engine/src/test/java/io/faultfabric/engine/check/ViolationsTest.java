package io.faultfabric.engine.check;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ViolationsTest {

    @Test
    void countsEveryViolationButKeepsOnlyTheFirstExamples() {
        Violations v = new Violations(2);
        for (int i = 0; i < 5; i++) v.record(Invariant.ONE_RESPONSE_PER_GROUP, "e" + i);
        v.record(Invariant.OUTCOMES_ADD_UP, "x");
        assertThat(v.count(Invariant.ONE_RESPONSE_PER_GROUP)).isEqualTo(5);
        assertThat(v.examples(Invariant.ONE_RESPONSE_PER_GROUP)).containsExactly("e0", "e1");
        assertThat(v.total()).isEqualTo(6);
        assertThat(v.none()).isFalse();
        assertThat(v.counts()).hasSize(Invariant.values().length).containsEntry(Invariant.CREDITS_WITHIN_ALLOCATION, 0L);
        assertThat(v.toString()).contains("ONE_RESPONSE_PER_GROUP=5").doesNotContain("CREDITS");
    }

    @Test
    void mergeAddsCountsAndExamplesUpToTheLimit() {
        Violations a = new Violations(2), b = new Violations(2);
        a.record(Invariant.DISPATCH_AFTER_LAST, "a");
        b.record(Invariant.DISPATCH_AFTER_LAST, "b1");
        b.record(Invariant.DISPATCH_AFTER_LAST, "b2");
        a.merge(b);
        assertThat(a.count(Invariant.DISPATCH_AFTER_LAST)).isEqualTo(3);
        assertThat(a.examples(Invariant.DISPATCH_AFTER_LAST)).containsExactly("a", "b1");
        assertThat(b.count(Invariant.DISPATCH_AFTER_LAST)).isEqualTo(2);
    }

    @Test
    void negativeExampleLimitIsRefused() {
        assertThatThrownBy(() -> new Violations(-1)).hasMessageStartingWith("maxExamples");
        assertThat(new Violations().none()).isTrue();
        for (Invariant i : Invariant.values()) assertThat(i.rule()).isNotBlank();
    }
}
