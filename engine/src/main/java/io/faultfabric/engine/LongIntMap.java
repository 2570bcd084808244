package io.faultfabric.engine;

import java.util.Arrays;

/**
 * Open-addressing map from long keys to int values, no boxing: the routing table holds up to
 * 2^20 entries and is read once per fault. Keys must be >= 0; values are any int except {@link #MISSING}.
 */
public final class LongIntMap {
    public static final int MISSING = Integer.MIN_VALUE;
    private static final long FREE = -1L;
    private static final long REMOVED = -2L;

    private long[] keys;
    private int[] values;
    private int size;
    private int used; // live + tombstones
    private int mask;

    public LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(keys, FREE);
        mask = cap - 1;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    public int get(long key) {
        if (key < 0) return MISSING; // -1 and -2 mark free and removed slots: never a key
        int i = slot(key, mask);
        while (true) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == FREE) return MISSING;
            i = (i + 1) & mask;
        }
    }

    public boolean containsKey(long key) { return get(key) != MISSING; }

    public void put(long key, int value) {
        if (key < 0) throw new IllegalArgumentException("key must be >= 0, was " + key);
        if (value == MISSING) throw new IllegalArgumentException("value must not be LongIntMap.MISSING");
        int i = slot(key, mask);
        int tomb = -1;
        while (true) {
            long k = keys[i];
            if (k == key) { values[i] = value; return; }
            if (k == FREE) break;
            if (k == REMOVED && tomb < 0) tomb = i;
            i = (i + 1) & mask;
        }
        if (tomb >= 0) i = tomb; else used++;
        keys[i] = key;
        values[i] = value;
        size++;
        if (used * 4 >= keys.length * 3) rehash(size * 4 >= keys.length ? keys.length * 2 : keys.length);
    }

    public int remove(long key) {
        if (key < 0) return MISSING;
        int i = slot(key, mask);
        while (true) {
            long k = keys[i];
            if (k == key) {
                keys[i] = REMOVED;
                size--;
                return values[i];
            }
            if (k == FREE) return MISSING;
            i = (i + 1) & mask;
        }
    }

    public int size() { return size; }

    /** Calls the visitor for each entry; the map must not change meanwhile. */
    public void forEach(Visitor v) {
        for (int i = 0; i < keys.length; i++) if (keys[i] >= 0) v.visit(keys[i], values[i]);
    }

    public interface Visitor { void visit(long key, int value); }

    private void rehash(int cap) {
        long[] ok = keys;
        int[] ov = values;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(keys, FREE);
        mask = cap - 1;
        used = 0;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] >= 0) {
                int j = slot(ok[i], mask);
                while (keys[j] != FREE) j = (j + 1) & mask;
                keys[j] = ok[i];
                values[j] = ov[i];
                used++;
                size++;
            }
        }
    }
}
