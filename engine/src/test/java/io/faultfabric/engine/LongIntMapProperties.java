package io.faultfabric.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LongIntMapProperties {
    enum Kind { PUT, REMOVE, GET }

    record Op(Kind kind, long key, int value) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        // few distinct keys, many of them colliding in a small table: puts, removes and re-puts over tombstones
        Arbitrary<Long> keys = Arbitraries.oneOf(Arbitraries.longs().between(0, 40),
            Arbitraries.longs().between(0, 40).map(k -> k << 21), Arbitraries.longs().between(0, Long.MAX_VALUE));
        Arbitrary<Op> op = Combinators.combine(Arbitraries.of(Kind.class), keys, Arbitraries.integers().filter(v -> v != LongIntMap.MISSING))
            .as(Op::new);
        return op.list().ofMaxSize(400);
    }

    @Property(tries = 200)
    void behavesLikeAHashMap(@ForAll("ops") List<Op> ops, @ForAll("expected") int expected) {
        LongIntMap m = new LongIntMap(expected);
        Map<Long, Integer> ref = new HashMap<>();
        for (Op o : ops) {
            switch (o.kind()) {
                case PUT -> { m.put(o.key(), o.value()); ref.put(o.key(), o.value()); }
                case REMOVE -> assertThat(m.remove(o.key())).isEqualTo(ref.containsKey(o.key()) ? ref.remove(o.key()) : LongIntMap.MISSING);
                case GET -> assertThat(m.get(o.key())).isEqualTo(ref.getOrDefault(o.key(), LongIntMap.MISSING));
            }
            assertThat(m.size()).isEqualTo(ref.size());
        }
        Map<Long, Integer> visited = new HashMap<>();
        m.forEach((k, v) -> visited.put(k, v));
        assertThat(visited).isEqualTo(ref);
        for (var e : ref.entrySet()) assertThat(m.get(e.getKey())).isEqualTo(e.getValue());
    }

    @Provide
    Arbitrary<Integer> expected() {
        return Arbitraries.integers().between(0, 64);
    }
}
