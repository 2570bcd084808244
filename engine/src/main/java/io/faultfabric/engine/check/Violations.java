package io.faultfabric.engine.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Violations per invariant, with up to a fixed number of counterexamples each. Checks run lock-free on
 * the hot path; only recording a violation (rare) takes this object's lock, so owners on many threads may share one.
 */
public final class Violations {
    public static final int DEFAULT_EXAMPLES = 10;

    private final int maxExamples;
    private final long[] counts = new long[Invariant.values().length];
    private final EnumMap<Invariant, List<String>> examples = new EnumMap<>(Invariant.class);

    public Violations() { this(DEFAULT_EXAMPLES); }

    public Violations(int maxExamples) {
        if (maxExamples < 0) throw new IllegalArgumentException("maxExamples must be >= 0, was " + maxExamples);
        this.maxExamples = maxExamples;
    }

    public synchronized void record(Invariant inv, String counterexample) {
        counts[inv.ordinal()]++;
        List<String> l = examples.computeIfAbsent(inv, k -> new ArrayList<>());
        if (l.size() < maxExamples) l.add(counterexample);
    }

    public synchronized long count(Invariant inv) { return counts[inv.ordinal()]; }

    public synchronized long total() {
        long s = 0;
        for (long c : counts) s += c;
        return s;
    }

    public boolean none() { return total() == 0; }

    public synchronized List<String> examples(Invariant inv) {
        return List.copyOf(examples.getOrDefault(inv, List.of()));
    }

    /** Every invariant with its count, zeros included, in DOMAIN.md order. */
    public synchronized Map<Invariant, Long> counts() {
        EnumMap<Invariant, Long> m = new EnumMap<>(Invariant.class);
        for (Invariant i : Invariant.values()) m.put(i, counts[i.ordinal()]);
        return m;
    }

    public void merge(Violations o) {
        Violations copy;
        synchronized (o) { copy = o.snapshotUnlocked(); }
        synchronized (this) { mergeUnlocked(copy); }
    }

    private Violations snapshotUnlocked() {
        Violations c = new Violations(maxExamples);
        System.arraycopy(counts, 0, c.counts, 0, counts.length);
        for (var e : examples.entrySet()) c.examples.put(e.getKey(), new ArrayList<>(e.getValue()));
        return c;
    }

    private void mergeUnlocked(Violations o) {
        for (Invariant i : Invariant.values()) {
            counts[i.ordinal()] += o.counts[i.ordinal()];
            List<String> l = examples.computeIfAbsent(i, k -> new ArrayList<>());
            for (String e : o.examples.getOrDefault(i, List.of())) if (l.size() < maxExamples) l.add(e);
        }
    }

    @Override
    public synchronized String toString() {
        StringBuilder b = new StringBuilder("Violations{");
        for (Invariant i : Invariant.values()) if (count(i) > 0) b.append(i).append('=').append(count(i)).append(' ').append(examples(i)).append(' ');
        return b.append('}').toString();
    }
}
