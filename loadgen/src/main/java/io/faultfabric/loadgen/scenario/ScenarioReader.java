package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.workload.LoadProfile;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.faultfabric.actors.FabricSettings;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.Pasid;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.StallEventQueue;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.owner.VirtualPageRequestQueue;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.PasidChoice;
import io.faultfabric.loadgen.scenario.ConfigReader.Node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import static io.faultfabric.loadgen.scenario.ScenarioLoader.ROOT;

/** Turns a merged, resolved scenario config into a {@link Scenario}, section by section, collecting every problem. */
final class ScenarioReader {
    private static final String FAULTFABRIC = "faultfabric";
    /** RIDs above bus 0, as {@link UniformTopology} numbers them: the most PCIe functions a topology can have. */
    private static final int MAX_FUNCTIONS = 0xFF00;
    /** The load models as {@code load.model} spells them. */
    private static final List<String> LOAD_MODELS = List.of("constant", "ramp", "burst", "poisson", "closed");

    private ScenarioReader() {}

    static Scenario read(Config config, String defaultName) {
        ConfigReader r = new ConfigReader();
        for (String key : config.root().keySet()) {
            if (!key.equals(ROOT)) r.error(ConfigUtil.joinPath(key), "unknown key; a scenario lives under scenario { ... }, e.g. scenario." + key);
        }
        Node s = r.root(config.root()).node(ROOT);
        if (s == null) throw new ScenarioException(r.errors());
        String name = s.has("name") ? s.string("name") : defaultName;
        if (name != null && !name.matches(Scenario.NAME_PATTERN)) {
            String rule = "letters, digits, '.', '_' or '-', not starting with '.', '_' or '-'";
            if (s.has("name")) r.error(s.path("name"), "\"" + name + "\" is not a usable name; expected " + rule);
            else r.error(s.path("name"), "not set, and the file's name \"" + name + "\" is not usable as one (" + rule
                + "); set scenario.name, e.g. name = my-run");
            name = null;
        }
        String description = s.has("description") ? s.string("description") : "";
        Long seed = s.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        UniformTopology topology = topology(r, s.node("topology"));
        LoadProfile load = load(r, s.node("load"));
        PasidChoice pasidChoice = pasidChoice(s.node("pasidChoice"));
        RequestsPerGroup requests = requestsPerGroup(r, s.node("requestsPerGroup"), topology);
        Map<OwnerKind, FaultPolicy> policies = policies(r, s.node("policies"));
        StopCondition stop = stop(r, s.node("stop"));
        Config fabric = fabric(r, s);
        List<Assertion> assertions = assertions(r, s);
        List<FaultSpec> faults = faults(r, s, topology);
        s.finish();
        if (!r.errors().isEmpty()) throw new ScenarioException(r.errors());
        try {
            return new Scenario(name, description, seed, topology, load, pasidChoice, requests, policies, stop, fabric, assertions, faults);
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(ROOT + ": " + e.getMessage());
        }
    }

    private static UniformTopology topology(ConfigReader r, Node t) {
        if (t == null) return null;
        Integer iommus = t.integer("iommus", 1, MAX_FUNCTIONS);
        IommuKind kind = t.enumeration("kind", IommuKind.class);
        Integer queueDepth = t.integer("queueDepth", 1, Integer.MAX_VALUE);
        if (kind != null && queueDepth != null && queueDepth > kind.maxQueueDepth()) {
            r.error(t.path("queueDepth"), t.value("queueDepth"), "expected a whole number in 1.." + kind.maxQueueDepth() + " for " + kind);
            queueDepth = null;
        }
        Integer devicesPerIommu = t.integer("devicesPerIommu", 1, MAX_FUNCTIONS);
        Integer vfsPerDevice = t.integer("vfsPerDevice", 0, 255);
        Integer pasids = t.integer("pasids", 1, Integer.MAX_VALUE);
        Integer allocation = t.integer("allocation", 1, Integer.MAX_VALUE);
        Integer ioasidsPerOwner = t.integer("ioasidsPerOwner", 1, Integer.MAX_VALUE);
        UniformTopology.Assignment assignment = t.enumeration("assignment", UniformTopology.Assignment.class);
        List<OwnerKind> ownerKinds = ownerKinds(r, t);
        Integer viommus = t.integer("viommus", 0, 1 << 16);
        Integer viommuQueueDepth = t.integer("viommuQueueDepth", VirtualPageRequestQueue.MIN_ENTRIES, VirtualPageRequestQueue.MAX_ENTRIES);
        RoutingMode mode = t.enumeration("mode", RoutingMode.class);
        Integer stalling = t.integer("stallingDevicesPerIommu", 0, MAX_FUNCTIONS);
        Integer stallLimit = t.integer("stallLimit", 1, StallEventQueue.STAGS);
        Integer eventQueueDepth = t.integer("eventQueueDepth", 1, StallEventQueue.MAX_CAPACITY);
        t.finish();
        if (stalling != null && stalling > 0) {
            if (devicesPerIommu != null && stalling > devicesPerIommu) {
                r.error(t.path("stallingDevicesPerIommu"), t.value("stallingDevicesPerIommu"), "expected at most devicesPerIommu ("
                        + devicesPerIommu + "): the stalling devices are some of each unit's devices");
                stalling = null;
            } else if (kind != null && kind != IommuKind.SMMUV3) {
                r.error(t.path("stallingDevicesPerIommu"), t.value("stallingDevicesPerIommu"), "expected 0 with kind = " + kind
                        + ": stalling devices are platform devices behind an SMMUv3 (its stall model); set kind = SMMUV3 to mix them with PRI devices");
                stalling = null;
            } else if (vfsPerDevice != null && vfsPerDevice != 0) {
                r.error(t.path("stallingDevicesPerIommu"), t.value("stallingDevicesPerIommu"), "expected 0 with vfsPerDevice = " + vfsPerDevice
                        + ": a stalling platform device has no VFs, and every function binds as many PASIDs; set vfsPerDevice = 0");
                stalling = null;
            }
        }
        if (iommus != null && devicesPerIommu != null && vfsPerDevice != null) {
            long functions = (long) iommus * devicesPerIommu * (vfsPerDevice + 1);
            if (functions > MAX_FUNCTIONS) {
                r.error(t.path(), "iommus x devicesPerIommu x (vfsPerDevice + 1) = " + functions + " PCIe functions; at most "
                        + MAX_FUNCTIONS + " fit in 16-bit requester ids");
            } else if (pasids != null && pasids % functions != 0) {
                r.error(t.path("pasids"), t.value("pasids"), "expected a multiple of the " + functions
                        + " PCIe functions (iommus x devicesPerIommu x (vfsPerDevice + 1)), so that each binds as many PASIDs");
                pasids = null;
            } else if (pasids != null && pasids / functions > Pasid.COUNT) {
                r.error(t.path("pasids"), t.value("pasids"), "expected at most 2^20 PASIDs per function, " + functions * Pasid.COUNT + " in all");
                pasids = null;
            }
        }
        if (pasids != null && ioasidsPerOwner != null && pasids % ioasidsPerOwner != 0) {
            r.error(t.path("ioasidsPerOwner"), t.value("ioasidsPerOwner"), "expected a divisor of pasids (" + pasids + "), so that every owner holds as many");
            ioasidsPerOwner = null;
        }
        if (ownerKinds != null && ownerKinds.contains(OwnerKind.GUEST) && viommus != null && viommus < 1) {
            r.error(t.path("viommus"), t.value("viommus"), "expected at least 1: ownerKinds includes GUEST, and guests fault through a vIOMMU");
            viommus = null;
        }
        if (iommus == null || kind == null || queueDepth == null || devicesPerIommu == null || vfsPerDevice == null || pasids == null
                || allocation == null || ioasidsPerOwner == null || assignment == null || ownerKinds == null || viommus == null
                || viommuQueueDepth == null || mode == null || stalling == null || stallLimit == null || eventQueueDepth == null) {
            return null;
        }
        try {
            return new UniformTopology(iommus, kind, queueDepth, devicesPerIommu, vfsPerDevice, pasids, allocation, ioasidsPerOwner,
                    assignment, ownerKinds, viommus, viommuQueueDepth, mode, stalling, stallLimit, eventQueueDepth);
        } catch (IllegalArgumentException e) {
            r.error(t.path(), e.getMessage());
            return null;
        }
    }

    private static List<OwnerKind> ownerKinds(ConfigReader r, Node t) {
        List<ConfigValue> values = t.list("ownerKinds", "owner kinds (" + String.join(", ", ConfigReader.names(OwnerKind.class)) + ")");
        if (values == null) return null;
        if (values.isEmpty()) {
            r.error(t.path("ownerKinds"), t.value("ownerKinds"), "expected at least one of " + String.join(", ", ConfigReader.names(OwnerKind.class)));
            return null;
        }
        List<OwnerKind> kinds = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) kinds.add(t.enumeration(t.path("ownerKinds") + "[" + i + "]", values.get(i), OwnerKind.class));
        return kinds.contains(null) ? null : kinds;
    }

    private static LoadProfile load(ConfigReader r, Node l) {
        if (l == null) return null;
        String model = l.choice("model", LOAD_MODELS);
        if (model == null) {
            l.skip();
            return null;
        }
        LoadProfile profile = null;
        switch (model) {
            case "constant": {
                Double rate = rate(l, "rate");
                if (rate != null) profile = new LoadProfile.Constant(rate);
                break;
            }
            case "ramp": {
                Double from = rate(l, "from");
                Double to = rate(l, "to");
                Duration over = l.duration("over", false);
                if (from != null && to != null && over != null) profile = new LoadProfile.Ramp(from, to, over.toNanos());
                break;
            }
            case "burst": {
                Double base = rate(l, "base");
                Double burst = rate(l, "burst");
                Duration length = l.duration("length", false);
                Duration period = l.duration("period", false);
                if (length != null && period != null && period.compareTo(length) <= 0) {
                    r.error(l.path("period"), l.value("period"), "expected a duration longer than length (" + ConfigReader.renderDuration(length) + ")");
                    period = null;
                }
                if (base != null && burst != null && length != null && period != null) {
                    profile = new LoadProfile.Burst(base, burst, length.toNanos(), period.toNanos());
                }
                break;
            }
            case "poisson": {
                Double rate = rate(l, "rate");
                if (rate != null) profile = new LoadProfile.Poisson(rate);
                break;
            }
            default: {
                Integer concurrency = l.integer("concurrency", 1, 1 << 16);
                if (concurrency != null) profile = new LoadProfile.Closed(concurrency);
            }
        }
        l.finish();
        return profile;
    }

    private static Double rate(Node l, String key) {
        return l.number(key, 0, true, Double.MAX_VALUE, "groups per second across the fabric");
    }

    private static PasidChoice pasidChoice(Node p) {
        if (p == null) return null;
        String kind = p.choice("kind", List.of("uniform", "zipf"));
        if (kind == null) {
            p.skip();
            return null;
        }
        PasidChoice choice = PasidChoice.UNIFORM;
        if (kind.equals("zipf")) {
            Double exponent = p.number("exponent", 0, true, 10, "");
            choice = exponent == null ? null : PasidChoice.zipf(exponent);
        }
        p.finish();
        return choice;
    }

    private static RequestsPerGroup requestsPerGroup(ConfigReader r, Node n, UniformTopology topology) {
        if (n == null) return null;
        Integer min = n.integer("min", 1, RequestsPerGroup.MAX);
        Integer max = n.integer("max", 1, RequestsPerGroup.MAX);
        n.finish();
        if (min == null || max == null) return null;
        if (max < min) {
            r.error(n.path("max"), n.value("max"), "expected at least min (" + min + ")");
            return null;
        }
        if (topology != null && max > topology.allocation()) {
            r.error(n.path("max"), n.value("max"), "expected at most scenario.topology.allocation (" + topology.allocation()
                    + "): a device could never issue a bigger group");
            return null;
        }
        return new RequestsPerGroup(min, max);
    }

    private static Map<OwnerKind, FaultPolicy> policies(ConfigReader r, Node n) {
        if (n == null) return null;
        Map<OwnerKind, FaultPolicy> policies = new EnumMap<>(OwnerKind.class);
        boolean complete = true;
        for (OwnerKind kind : OwnerKind.values()) {
            FaultPolicy policy = policy(r, n.node(kind.name()));
            if (policy == null) complete = false;
            else policies.put(kind, policy);
        }
        n.finish();
        return complete ? policies : null;
    }

    private static FaultPolicy policy(ConfigReader r, Node p) {
        if (p == null) return null;
        ServiceTime serviceTime = serviceTime(r, p.node("serviceTime"));
        Double invalid = p.number("invalidRatio", 0, false, 1, "share of groups answered Invalid");
        Double failure = p.number("failureRatio", 0, false, 1, "share of groups whose handler fails: Response Failure");
        Integer queueCapacity = p.integer("queueCapacity", 1, Integer.MAX_VALUE);
        p.finish();
        if (invalid != null && failure != null && invalid + failure > 1) {
            r.error(p.path(), "invalidRatio + failureRatio = " + (invalid + failure) + "; expected at most 1");
            return null;
        }
        if (serviceTime == null || invalid == null || failure == null || queueCapacity == null) return null;
        return new FaultPolicy(serviceTime, invalid, failure, queueCapacity);
    }

    private static ServiceTime serviceTime(ConfigReader r, Node s) {
        if (s == null) return null;
        String shape = s.choice("shape", List.of("zero", "constant", "uniform", "exponential"));
        if (shape == null) {
            s.skip();
            return null;
        }
        ServiceTime time = null;
        switch (shape) {
            case "zero":
                time = ServiceTime.ZERO;
                break;
            case "constant": {
                Duration value = s.duration("value", true);
                if (value != null) time = ServiceTime.constant(value.toNanos());
                break;
            }
            case "uniform": {
                Duration min = s.duration("min", true);
                Duration max = s.duration("max", true);
                if (min != null && max != null && max.compareTo(min) < 0) {
                    r.error(s.path("max"), s.value("max"), "expected at least min (" + ConfigReader.renderDuration(min) + ")");
                } else if (min != null && max != null) {
                    time = ServiceTime.uniform(min.toNanos(), max.toNanos());
                }
                break;
            }
            default: {
                Duration mean = s.duration("mean", false);
                if (mean != null) time = ServiceTime.exponential(mean.toNanos());
            }
        }
        s.finish();
        return time;
    }

    private static StopCondition stop(ConfigReader r, Node n) {
        if (n == null) return null;
        Duration duration = n.optionalDuration("duration", false);
        boolean durationOk = !n.has("duration") || duration != null;
        Long groups = n.has("groups") ? n.whole("groups", 1, Long.MAX_VALUE) : null;
        boolean groupsOk = !n.has("groups") || groups != null;
        n.finish();
        if (!n.has("duration") && !n.has("groups")) {
            r.error(n.path(), "expected duration, groups or both, e.g. stop { duration = 30s }");
            return null;
        }
        if (!durationOk || !groupsOk) return null;
        return new StopCondition(Optional.ofNullable(duration), groups == null ? OptionalLong.empty() : OptionalLong.of(groups));
    }

    /** The fabric overrides: every key must be one of the faultfabric reference.conf's, and the result must make valid FabricSettings. */
    private static Config fabric(ConfigReader r, Node s) {
        ConfigValue v = s.value("fabric");
        if (v == null) return ConfigFactory.empty();
        String path = s.path("fabric");
        if (v.valueType() != ConfigValueType.OBJECT) {
            r.error(path, v, "expected an object of faultfabric settings, e.g. { response-timeout = 200ms }");
            return null;
        }
        Config overrides = ((ConfigObject) v).toConfig();
        Config reference = ConfigFactory.defaultReference().getConfig(FAULTFABRIC);
        List<String> knownKeys = reference.entrySet().stream().map(Map.Entry::getKey).sorted().collect(Collectors.toList());
        boolean valid = true;
        for (Map.Entry<String, ConfigValue> e : overrides.entrySet()) {
            String key = e.getKey();
            if (!reference.hasPath(key)) {
                r.error(path + "." + key, "unknown key; " + Suggestions.closest(key, knownKeys).map(k -> "did you mean " + k + "?")
                        .orElse("the faultfabric settings are " + String.join(", ", knownKeys)));
                overrides = overrides.withoutPath(key);
                valid = false;
            } else if (reference.getValue(key).valueType() == ConfigValueType.OBJECT) {
                r.error(path + "." + key, e.getValue(), "expected an object, as in the faultfabric reference.conf");
                overrides = overrides.withoutPath(key);
                valid = false;
            }
        }
        try {
            // the known keys are checked even when others are not, so that every problem shows at once
            FabricSettings.fromConfig(overrides.atKey(FAULTFABRIC).withFallback(ConfigFactory.defaultReference()));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            // the key the message starts with is the scenario's; config paths inside it stay as they are
            if (message.startsWith(FAULTFABRIC + ".")) r.problem(path + message.substring(FAULTFABRIC.length()));
            else r.error(path, message);
            valid = false;
        }
        if (!valid) return null;
        return overrides;
    }

    private static List<Assertion> assertions(ConfigReader r, Node s) {
        List<ConfigValue> values = s.list("assertions", "expressions such as \"lostGroups == 0\"");
        if (values == null) return null;
        List<Assertion> assertions = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            ConfigValue v = values.get(i);
            String at = s.path("assertions") + "[" + i + "]";
            if (v.valueType() != ConfigValueType.STRING) {
                r.error(at, v, "expected a string such as \"lostGroups == 0\"");
                continue;
            }
            try {
                assertions.add(Assertion.parse((String) v.unwrapped()));
            } catch (IllegalArgumentException e) {
                r.error(at, v, e.getMessage());
            }
        }
        return assertions.size() == values.size() ? assertions : null;
    }

    /** The keys some fault kind takes besides its schedule. */
    private static final List<String> FAULT_PARAMETERS = List.of("latency", "ratio", "forgery", "extra", "fill", "window");
    private static final String FAULT_EXAMPLE = "an object such as { kind = OwnerHang, at = 2s, every = 5s, duration = 1s, fraction = 0.01 }";

    private static List<FaultSpec> faults(ConfigReader r, Node s, UniformTopology topology) {
        List<ConfigValue> values = s.list("faults", "fault objects such as { kind = OwnerHang, at = 2s, duration = 1s, fraction = 0.01 }");
        if (values == null) return null;
        List<FaultSpec> faults = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            ConfigValue v = values.get(i);
            String at = s.path("faults") + "[" + i + "]";
            if (v.valueType() != ConfigValueType.OBJECT) {
                r.error(at, v, "expected " + FAULT_EXAMPLE);
                continue;
            }
            FaultSpec fault = fault(r, r.new Node(at, (ConfigObject) v), topology);
            if (fault != null) faults.add(fault);
        }
        return faults.size() == values.size() ? faults : null;
    }

    /** One fault: its kind and the parameters that kind takes, then its schedule; a key the kind does not take is unknown. */
    private static FaultSpec fault(ConfigReader r, Node f, UniformTopology topology) {
        int before = r.errors().size();
        String kind = faultKind(r, f);
        Duration at = f.optionalDuration("at", true);
        Duration every = f.optionalDuration("every", false);
        Double probability = f.optionalNumber("probability", 0, 1);
        Double fraction = f.optionalNumber("fraction", 0, 1);
        if (fraction != null && fraction == 0) {
            r.error(f.path("fraction"), f.value("fraction"), "expected a number in (0, 1]: the share of the targets each strike hits");
            fraction = null;
        }
        Duration duration = f.optionalDuration("duration", false);
        Fault fault = kind == null ? null : faultOfKind(r, f, kind, probability);
        // without a kind its own keys cannot be judged; any other key still can
        if (kind == null) for (String parameter : FAULT_PARAMETERS) f.value(parameter);
        f.finish();
        if (fault == null || r.errors().size() > before) return null;
        if (fault.target() == Fault.Target.GUESTS && topology != null && !topology.ownerKinds().contains(OwnerKind.GUEST)) {
            r.error(f.path("kind"), f.value("kind"), "expected a fault the topology can take: " + kind
                + " strikes guests, and scenario.topology.ownerKinds has no GUEST");
            return null;
        }
        try {
            return new FaultSpec(fault, at == null ? Duration.ZERO : at, Optional.ofNullable(every), Optional.ofNullable(duration),
                optional(fraction), fault.perMessage() > 0 || probability == null ? 1 : probability);
        } catch (IllegalArgumentException e) {
            r.error(f.path(), e.getMessage());
            return null;
        }
    }

    /** The fault's kind as {@link Fault#KINDS} spells it (matched without regard to case), or null after an error that lists them. */
    private static String faultKind(ConfigReader r, Node f) {
        ConfigValue v = f.value("kind");
        String kinds = "one of " + String.join(", ", Fault.KINDS);
        if (v == null) {
            r.error(f.path("kind"), "missing; expected " + kinds);
            return null;
        }
        String given = v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped() : "";
        for (String k : Fault.KINDS) if (k.equalsIgnoreCase(given)) return k;
        r.error(f.path("kind"), v, "unknown fault kind; " + Suggestions.closest(given, Fault.KINDS).map(k -> "did you mean " + k + "? ")
            .orElse("") + "expected " + kinds);
        return null;
    }

    /** The kind's own parameters; {@code probability} is per message for the message faults, whose value it is. */
    private static Fault faultOfKind(ConfigReader r, Node f, String kind, Double probability) {
        boolean perMessage = List.of("DropResponse", "DuplicateResponse", "ForgedResponse", "Delay", "Reorder").contains(kind);
        if (perMessage && probability != null && probability == 0) {
            r.error(f.path("probability"), f.value("probability"), "expected a number in (0, 1]: the chance per message");
            return null;
        }
        double p = probability == null ? 1 : probability;
        if (perMessage && probability == null && (kind.equals("DropResponse") || kind.equals("DuplicateResponse") || kind.equals("ForgedResponse"))) {
            r.error(f.path("probability"), "missing; expected a number in (0, 1]: the chance that " + kind + " strikes a message");
            return null;
        }
        switch (kind) {
            case "OwnerCrash": return new Fault.OwnerCrash();
            case "OwnerHang": return new Fault.OwnerHang();
            case "SlowOwner": {
                ServiceTime latency = serviceTime(r, f.node("latency"));
                return latency == null ? null : new Fault.SlowOwner(latency);
            }
            case "WrongAnswers": {
                Double ratio = f.has("ratio") ? f.number("ratio", 0, true, 1, "share of the owner's groups whose handler fails") : Double.valueOf(1);
                return ratio == null ? null : new Fault.WrongAnswers(ratio);
            }
            case "DropResponse": return new Fault.DropResponse(p);
            case "DuplicateResponse": return new Fault.DuplicateResponse(p);
            case "ForgedResponse": {
                List<String> forgeries = java.util.Arrays.stream(Fault.Forgery.values()).map(Fault.Forgery::spelling).toList();
                String forgery = f.has("forgery") ? f.choice("forgery", forgeries) : "owner";
                return forgery == null ? null : new Fault.ForgedResponse(p, Fault.Forgery.valueOf(forgery.toUpperCase(java.util.Locale.ROOT)));
            }
            case "GuestHang": return new Fault.GuestHang();
            case "GuestSlow": {
                Duration extra = f.duration("extra", false);
                return extra == null ? null : new Fault.GuestSlow(extra);
            }
            case "VirtualQueueOverflow": {
                Double fill = f.has("fill") ? f.number("fill", 0, true, 1, "share of the guest's queue flooded") : Double.valueOf(1);
                return fill == null ? null : new Fault.VirtualQueueOverflow(fill);
            }
            case "PrqOverflowStorm": return new Fault.PrqOverflowStorm();
            case "IommuRestart": return new Fault.IommuRestart();
            case "DeviceReset": return new Fault.DeviceReset();
            case "PriDisabledByFailure": return new Fault.PriDisabledByFailure();
            case "PasidTeardown": return new Fault.PasidTeardown();
            case "OwnerReplace": return new Fault.OwnerReplace();
            case "HotUnplug": return new Fault.HotUnplug();
            case "Delay": {
                ServiceTime latency = serviceTime(r, f.node("latency"));
                return latency == null ? null : new Fault.Delay(p, latency);
            }
            case "Reorder": {
                Duration window = f.duration("window", false);
                return window == null ? null : new Fault.Reorder(p, window);
            }
            default: throw new IllegalStateException("a kind in Fault.KINDS without a reader: " + kind);
        }
    }

    private static OptionalDouble optional(Double d) {
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
    }
}
