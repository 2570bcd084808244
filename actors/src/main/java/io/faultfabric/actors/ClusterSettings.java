package io.faultfabric.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.time.Duration;
import java.util.Objects;

/**
 * Cluster mode's settings ({@code faultfabric.cluster}, see docs/cluster.md), read once and validated against the
 * fabric's: a bad value fails at start with its key path, the value and what is allowed.
 *
 * @param resendInterval how long the owner gateway waits for an owner's answer before it sends the group again; below
 *                       {@code faultfabric.response-timeout}, so that a re-sent group can still be answered by its owner
 * @param maxResends     how many times at most one group is sent again (0: never); after that its IOMMU's response
 *                       timer answers it
 */
public record ClusterSettings(Duration resendInterval, int maxResends) {
    public static final int MAX_RESENDS_LIMIT = 100;

    public ClusterSettings {
        Objects.requireNonNull(resendInterval, "resendInterval");
        if (resendInterval.isNegative() || resendInterval.isZero()) {
            throw new IllegalArgumentException("faultfabric.cluster.resend-interval must be a positive duration, was " + resendInterval);
        }
        if (maxResends < 0 || maxResends > MAX_RESENDS_LIMIT) {
            throw new IllegalArgumentException("faultfabric.cluster.max-resends must be 0.." + MAX_RESENDS_LIMIT + ", was " + maxResends);
        }
    }

    /** Reads {@code faultfabric.cluster} of {@code root} and checks it against the fabric's settings. */
    public static ClusterSettings fromConfig(Config root, FabricSettings fabric) {
        Config c;
        try {
            c = root.getConfig("faultfabric.cluster");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("faultfabric.cluster is missing or not a section; expected resend-interval and max-resends", e);
        }
        Duration interval;
        try {
            interval = c.getDuration("resend-interval");
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException("faultfabric.cluster.resend-interval is missing; expected a duration such as 100ms", e);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("faultfabric.cluster.resend-interval = " + render(c, "resend-interval")
                + " is not a duration; expected e.g. 100ms", e);
        }
        int max;
        try {
            max = c.getInt("max-resends");
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException("faultfabric.cluster.max-resends is missing; expected a whole number 0.." + MAX_RESENDS_LIMIT, e);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("faultfabric.cluster.max-resends = " + render(c, "max-resends")
                + " is not a whole number; expected 0.." + MAX_RESENDS_LIMIT, e);
        }
        return new ClusterSettings(interval, max).checkedAgainst(fabric);
    }

    /** This, if its re-send interval is below the fabric's response timeout; otherwise an error naming both keys. */
    public ClusterSettings checkedAgainst(FabricSettings fabric) {
        if (resendInterval.compareTo(fabric.responseTimeout()) >= 0) {
            throw new IllegalArgumentException("faultfabric.cluster.resend-interval = " + resendInterval
                + " must be less than faultfabric.response-timeout = " + fabric.responseTimeout()
                + ": a group is re-sent while its IOMMU still waits for the owner's answer");
        }
        return this;
    }

    private static String render(Config c, String key) {
        try {
            return c.getValue(key).render();
        } catch (ConfigException e) {
            return "?";
        }
    }
}
