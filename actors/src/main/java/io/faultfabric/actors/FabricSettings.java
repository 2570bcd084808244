package io.faultfabric.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.Objects;

/**
 * The fabric's settings, read once from the {@code faultfabric} section of the config and validated:
 * a bad value fails at start with its key path, the value, and what is allowed.
 */
public record FabricSettings(Duration responseTimeout, Duration timeoutCheckInterval, int drainBatch,
                             OwnerSupervision ownerSupervision, int deviceBatch, String dispatcher, ServiceClockKind serviceClock) {

    public enum OwnerSupervision { RESTART, STOP }

    /** How owners' service times are timed: see {@link ServiceClock}. AUTO is SCHEDULER under ManualTime, else PRECISE. */
    public enum ServiceClockKind { AUTO, PRECISE, SCHEDULER }

    public FabricSettings {
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(timeoutCheckInterval, "timeoutCheckInterval");
        Objects.requireNonNull(ownerSupervision, "ownerSupervision");
        Objects.requireNonNull(dispatcher, "dispatcher");
        Objects.requireNonNull(serviceClock, "serviceClock");
        positive(responseTimeout, "faultfabric.response-timeout");
        positive(timeoutCheckInterval, "faultfabric.timeout-check-interval");
        range(drainBatch, 1, 1 << 20, "faultfabric.drain-batch");
        range(deviceBatch, 1, 4096, "faultfabric.device-batch");
    }

    public static FabricSettings fromConfig(Config root) {
        Config c = root.getConfig("faultfabric");
        return new FabricSettings(
            duration(c, "response-timeout"),
            duration(c, "timeout-check-interval"),
            integer(c, "drain-batch"),
            supervision(c),
            integer(c, "device-batch"),
            requireDispatcher(root, string(c, "dispatcher")),
            serviceClock(c));
    }

    public FabricSettings withResponseTimeout(Duration d) {
        return new FabricSettings(d, timeoutCheckInterval, drainBatch, ownerSupervision, deviceBatch, dispatcher, serviceClock);
    }

    public FabricSettings withOwnerSupervision(OwnerSupervision s) {
        return new FabricSettings(responseTimeout, timeoutCheckInterval, drainBatch, s, deviceBatch, dispatcher, serviceClock);
    }

    private static Duration duration(Config c, String key) {
        try {
            if (c.getValue(key).valueType() == ConfigValueType.NUMBER) {
                // HOCON reads a bare number as milliseconds: refused, as the scenario files refuse it
                throw new IllegalArgumentException("faultfabric." + key + " = " + render(c, key) + " has no unit; expected a duration such as 500ms or 2s");
            }
            return c.getDuration(key);
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException("faultfabric." + key + " is missing; expected a duration such as 500ms", e);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw new IllegalArgumentException("faultfabric." + key + " = " + render(c, key) + " is not a duration; expected e.g. 500ms or 2s", e);
        }
    }

    private static int integer(Config c, String key) {
        try {
            ConfigValue v = c.getValue(key);
            if (v.valueType() == ConfigValueType.NUMBER) {
                double d = ((Number) v.unwrapped()).doubleValue();
                // getInt would truncate 2.5 to 2
                if (d != Math.rint(d)) throw new IllegalArgumentException("faultfabric." + key + " = " + v.render() + " is not a whole number");
            }
            return c.getInt(key);
        } catch (ConfigException.Missing e) {
            throw new IllegalArgumentException("faultfabric." + key + " is missing; expected a whole number", e);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException("faultfabric." + key + " = " + render(c, key) + " is not a whole number", e);
        }
    }

    private static String string(Config c, String key) {
        try {
            return c.getString(key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("faultfabric." + key + " must be a string (a dispatcher's config path)", e);
        }
    }

    /**
     * Returns {@code path} if it names a dispatcher section of {@code root}; otherwise the fabric would fail only when its
     * actors are spawned, so this refuses it with the key, the value and what is allowed.
     */
    public static String requireDispatcher(Config root, String path) {
        boolean found;
        try {
            found = root.hasPath(path) && root.getValue(path).valueType() == ConfigValueType.OBJECT;
        } catch (ConfigException.BadPath e) {
            found = false;
        }
        if (!found) {
            throw new IllegalArgumentException("faultfabric.dispatcher = \"" + path + "\": no dispatcher is configured at that path; expected the "
                + "config path of a dispatcher section, such as faultfabric.data-plane-dispatcher or pekko.actor.default-dispatcher");
        }
        return path;
    }

    private static OwnerSupervision supervision(Config c) {
        String v = string(c, "owner-supervision");
        switch (v) {
            case "restart": return OwnerSupervision.RESTART;
            case "stop": return OwnerSupervision.STOP;
            default: throw new IllegalArgumentException("faultfabric.owner-supervision = \"" + v + "\" is not allowed; expected restart or stop");
        }
    }

    private static ServiceClockKind serviceClock(Config c) {
        String v = string(c, "service-clock");
        switch (v) {
            case "auto": return ServiceClockKind.AUTO;
            case "precise": return ServiceClockKind.PRECISE;
            case "scheduler": return ServiceClockKind.SCHEDULER;
            default: throw new IllegalArgumentException("faultfabric.service-clock = \"" + v + "\" is not allowed; expected auto, precise or scheduler");
        }
    }

    private static String render(Config c, String key) {
        try {
            return c.getValue(key).render();
        } catch (ConfigException e) {
            return "?";
        }
    }

    private static void positive(Duration d, String key) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
    }

    private static void range(int v, int min, int max, String key) {
        if (v < min || v > max) throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", was " + v);
    }
}
