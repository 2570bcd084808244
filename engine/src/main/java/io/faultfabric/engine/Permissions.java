package io.faultfabric.engine;

/** Requested access bits of a page request, kept as an int on the hot path. */
public final class Permissions {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int EXEC = 4;
    public static final int PRIV = 8;
    public static final int ALL = READ | WRITE | EXEC | PRIV;

    private Permissions() {}

    public static int check(int perm, String argument) {
        if ((perm & ~ALL) != 0) {
            throw new IllegalArgumentException(argument + " must combine R=1, W=2, X=4, P=8 (0..15), was " + perm);
        }
        return perm;
    }

    public static boolean readsOrWrites(int perm) {
        return (perm & (READ | WRITE)) != 0;
    }

    public static String toString(int perm) {
        StringBuilder b = new StringBuilder(4);
        b.append((perm & READ) != 0 ? 'r' : '-');
        b.append((perm & WRITE) != 0 ? 'w' : '-');
        b.append((perm & EXEC) != 0 ? 'x' : '-');
        b.append((perm & PRIV) != 0 ? 'p' : '-');
        return b.toString();
    }
}
