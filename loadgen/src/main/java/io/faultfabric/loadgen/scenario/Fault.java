package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.owner.ServiceTime;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A failure to inject, as a typed value with its parameters (Toxiproxy's toxics, Jepsen's nemeses). When and where it
 * strikes is the {@link FaultSpec}'s schedule; what each kind does to the fabric is the injector's business and is
 * described in {@code docs/resilience.md}. The kind's name is its record's simple name, as scenarios spell it.
 */
public sealed interface Fault {

    /** What a fault strikes; a strike picks a seeded share of these. */
    enum Target {
        OWNERS("owners"), GUESTS("guests"), DEVICES("devices"), IOMMUS("IOMMU units"), PASIDS("attached PASIDs");

        private final String plural;

        Target(String plural) { this.plural = plural; }

        public String plural() { return plural; }
    }

    /** Every kind, in the order the documentation lists them. */
    List<String> KINDS = List.of("OwnerCrash", "OwnerHang", "SlowOwner", "WrongAnswers", "DropResponse", "DuplicateResponse",
        "ForgedResponse", "GuestHang", "GuestSlow", "VirtualQueueOverflow", "PrqOverflowStorm", "IommuRestart", "DeviceReset",
        "PriDisabledByFailure", "PasidTeardown", "OwnerReplace", "HotUnplug", "Delay", "Reorder");

    default String kind() { return getClass().getSimpleName(); }

    Target target();

    /** Whether a strike lasts (a window with a duration, healed at its end) or happens at an instant. */
    boolean lasting();

    /** For the kinds that act on single messages (a share of them): the chance per message; 0 for the others. */
    default double perMessage() { return 0; }

    /** The parameters, as the report's detail shows them; empty when there are none. */
    default String parameters() { return ""; }

    // ---------------------------------------------------------------- owners

    /** The owner's actor throws: supervision restarts (or stops) it, and its pending groups are answered Response Failure. */
    record OwnerCrash() implements Fault {
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return false; }
    }

    /** The owner stops serving for the window: its groups queue up, time out (TIMEOUT, Invalid) and free their credits. */
    record OwnerHang() implements Fault {
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
    }

    /** The owner serves each group in {@code latency} for the window instead of its policy's service time. */
    record SlowOwner(ServiceTime latency) implements Fault {
        public SlowOwner { Objects.requireNonNull(latency, "latency"); }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public String parameters() { return "latency " + latency; }
    }

    /** A Response Failure storm: the owner's handler fails on {@code ratio} of its groups for the window. */
    record WrongAnswers(double ratio) implements Fault {
        public WrongAnswers { share(ratio, "ratio"); }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public String parameters() { return "ratio " + format(ratio); }
    }

    /** The owner's answer is lost on its way to the IOMMU with {@code probability}: the group times out. */
    record DropResponse(double probability) implements Fault {
        public DropResponse { share(probability, "probability"); }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public double perMessage() { return probability; }
        @Override public String parameters() { return "probability " + format(probability); }
    }

    /** The owner's answer reaches the IOMMU twice with {@code probability}: the second is rejected (no outstanding group). */
    record DuplicateResponse(double probability) implements Fault {
        public DuplicateResponse { share(probability, "probability"); }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public double perMessage() { return probability; }
        @Override public String parameters() { return "probability " + format(probability); }
    }

    /** What a forged answer gets wrong. */
    enum Forgery {
        /** Another PRGI than the group's. */
        PRGI,
        /** Another PASID than the group's. */
        PASID,
        /** It claims to come from another owner than the group's handler. */
        OWNER;

        public String spelling() { return name().toLowerCase(Locale.ROOT); }
    }

    /** With {@code probability}, a forged answer ({@link Forgery}) reaches the IOMMU ahead of the real one: rejected and counted. */
    record ForgedResponse(double probability, Forgery forgery) implements Fault {
        public ForgedResponse {
            share(probability, "probability");
            Objects.requireNonNull(forgery, "forgery");
        }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public double perMessage() { return probability; }
        @Override public String parameters() { return "probability " + format(probability) + ", forgery " + forgery.spelling(); }
    }

    // ---------------------------------------------------------------- guests

    /** The guest stops taking groups off its virtual queue: the queue fills, the VMM refuses, groups time out. */
    record GuestHang() implements Fault {
        @Override public Target target() { return Target.GUESTS; }
        @Override public boolean lasting() { return true; }
    }

    /** The guest takes {@code extra} longer on every group for the window. */
    record GuestSlow(Duration extra) implements Fault {
        public GuestSlow { positive(extra, "extra"); }
        @Override public Target target() { return Target.GUESTS; }
        @Override public boolean lasting() { return true; }
        @Override public String parameters() { return "extra " + ConfigReader.renderDuration(extra); }
    }

    /** Work from outside the model floods {@code fill} of the guest's virtual queue: what does not fit is refused, PRO set. */
    record VirtualQueueOverflow(double fill) implements Fault {
        public VirtualQueueOverflow { share(fill, "fill"); }
        @Override public Target target() { return Target.GUESTS; }
        @Override public boolean lasting() { return true; }
        @Override public String parameters() { return "fill " + format(fill); }
    }

    // ---------------------------------------------------------------- IOMMUs

    /**
     * The unit's page request thread is held off for the window while its devices keep sending: the ring overflows once
     * their outstanding allocations together exceed its depth (as Linux's VT-d setup allows), and the overflow rule applies.
     */
    record PrqOverflowStorm() implements Fault {
        @Override public Target target() { return Target.IOMMUS; }
        @Override public boolean lasting() { return true; }
    }

    /** The unit is reset: what it had pending or queued with L=1 is answered IOMMU_RESTART, its queue and partial groups dropped. */
    record IommuRestart() implements Fault {
        @Override public Target target() { return Target.IOMMUS; }
        @Override public boolean lasting() { return false; }
    }

    // ---------------------------------------------------------------- devices

    /** Function-level reset: the device forgets its open groups, its unit answers its pending groups DEVICE_RESET. */
    record DeviceReset() implements Fault {
        @Override public Target target() { return Target.DEVICES; }
        @Override public boolean lasting() { return false; }
    }

    /** A handler fails on the device's pending groups (or its next one): Response Failure disables its PRI until its driver resets it. */
    record PriDisabledByFailure() implements Fault {
        @Override public Target target() { return Target.DEVICES; }
        @Override public boolean lasting() { return false; }
    }

    /** The device is removed from its unit's fault queue for the window (pending groups answered, later requests malformed), then plugged back. */
    record HotUnplug() implements Fault {
        @Override public Target target() { return Target.DEVICES; }
        @Override public boolean lasting() { return true; }
    }

    // ---------------------------------------------------------------- PASIDs

    /** The PASID is torn down mid-flight (stop marker, detach, drain) and attached again at the end of the window. */
    record PasidTeardown() implements Fault {
        @Override public Target target() { return Target.PASIDS; }
        @Override public boolean lasting() { return true; }
    }

    /** The page table at (RID, PASID) is replaced by another owner's for the window: the old owner's pending groups are answered. */
    record OwnerReplace() implements Fault {
        @Override public Target target() { return Target.PASIDS; }
        @Override public boolean lasting() { return true; }
    }

    // ---------------------------------------------------------------- messages

    /** With {@code probability}, a group's hand-over to its owner or the owner's answer is delayed by {@code latency}. */
    record Delay(double probability, ServiceTime latency) implements Fault {
        public Delay {
            share(probability, "probability");
            Objects.requireNonNull(latency, "latency");
        }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public double perMessage() { return probability; }
        @Override public String parameters() { return "probability " + format(probability) + ", latency " + latency; }
    }

    /** With {@code probability}, such a message is held for a uniform time within {@code window}: messages overtake each other. */
    record Reorder(double probability, Duration window) implements Fault {
        public Reorder {
            share(probability, "probability");
            positive(window, "window");
        }
        @Override public Target target() { return Target.OWNERS; }
        @Override public boolean lasting() { return true; }
        @Override public double perMessage() { return probability; }
        @Override public String parameters() { return "probability " + format(probability) + ", window " + ConfigReader.renderDuration(window); }
    }

    private static void share(double v, String name) {
        if (!(v > 0 && v <= 1)) throw new IllegalArgumentException(name + " must be in (0, 1], was " + v);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0, was " + d);
    }

    private static String format(double d) {
        return ScenarioHocon.number(d);
    }
}
