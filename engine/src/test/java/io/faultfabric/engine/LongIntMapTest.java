package io.faultfabric.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class LongIntMapTest {

    @Test
    void putGetOverwriteRemove() {
        LongIntMap m = new LongIntMap(4);
        assertThat(m.get(7)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.containsKey(7)).isFalse();
        m.put(7, 70);
        m.put(0, 0);
        assertThat(m.get(7)).isEqualTo(70);
        assertThat(m.get(0)).isZero();
        assertThat(m.size()).isEqualTo(2);
        m.put(7, -3);
        assertThat(m.get(7)).isEqualTo(-3);
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.remove(7)).isEqualTo(-3);
        assertThat(m.get(7)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.remove(7)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.size()).isEqualTo(1);
    }

    @Test
    void negativeKeysAndTheMissingValueAreRefused() {
        LongIntMap m = new LongIntMap(4);
        assertThatThrownBy(() -> m.put(-1, 1)).hasMessageContaining("key must be >= 0");
        assertThatThrownBy(() -> m.put(1, LongIntMap.MISSING)).hasMessageContaining("MISSING");
    }

    @Test
    void negativeKeysAreNeverFoundAndRemoveNothing() {
        // -1 and -2 are the map's own markers for free and removed slots
        LongIntMap m = new LongIntMap(4);
        m.put(5, 50);
        m.remove(5);
        assertThat(m.get(-1)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.get(-2)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.containsKey(-1)).isFalse();
        assertThat(m.remove(-1)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.remove(-2)).isEqualTo(LongIntMap.MISSING);
        assertThat(m.size()).isZero();
        m.put(6, 60);
        assertThat(m.get(6)).isEqualTo(60);
        assertThat(m.size()).isEqualTo(1);
    }

    @Test
    void growsPastItsExpectedSizeAndKeepsEveryEntry() {
        LongIntMap m = new LongIntMap(2);
        for (int i = 0; i < 50_000; i++) m.put((long) i << 21 | (i & 0xFFFFF), i);
        assertThat(m.size()).isEqualTo(50_000);
        for (int i = 0; i < 50_000; i++) assertThat(m.get((long) i << 21 | (i & 0xFFFFF))).isEqualTo(i);
    }

    @Test
    void tombstonesAreReusedAndCleared() {
        // endless churn on a small map: without tombstone reuse and same-size rehash, free slots run out and get() never ends
        LongIntMap m = new LongIntMap(8);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (long k = 0; k < 200_000; k++) {
                m.put(k, (int) k);
                if (k >= 3) assertThat(m.remove(k - 3)).isEqualTo((int) (k - 3));
            }
            assertThat(m.size()).isEqualTo(3);
            assertThat(m.get(1_000_000)).isEqualTo(LongIntMap.MISSING);
        });
        assertThat(m.get(199_999)).isEqualTo(199_999);
        assertThat(m.get(199_996)).isEqualTo(LongIntMap.MISSING);
    }

    @Test
    void putAfterRemoveOfACollidingKeyDoesNotDuplicate() {
        LongIntMap m = new LongIntMap(4);
        for (long k = 0; k < 6; k++) m.put(k, (int) k);
        m.remove(1);
        m.remove(2);
        // re-putting a live key that sits after tombstones must update it, not add a second copy
        for (long k = 0; k < 6; k++) if (k != 1 && k != 2) m.put(k, (int) k + 100);
        assertThat(m.size()).isEqualTo(4);
        Map<Long, Integer> seen = new HashMap<>();
        m.forEach((k, v) -> assertThat(seen.put(k, v)).as("key %d visited twice", k).isNull());
        assertThat(seen).containsOnlyKeys(0L, 3L, 4L, 5L).containsEntry(5L, 105);
    }
}
