package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.workload.LoadProfile;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.owner.FaultPolicy;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.topology.UniformTopology;
import io.faultfabric.engine.workload.PasidChoice;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/** Writes a scenario back as HOCON in the loader's layout, every key stated, in the order defaults.conf documents them. */
public final class ScenarioHocon {
    private static final ConfigRenderOptions CONCISE = ConfigRenderOptions.concise();

    private ScenarioHocon() {}

    public static String render(Scenario s) {
        UniformTopology t = s.topology();
        StringBuilder b = new StringBuilder("scenario {\n");
        b.append("  name = ").append(string(s.name())).append('\n');
        b.append("  description = ").append(string(s.description())).append('\n');
        b.append("  seed = ").append(s.seed()).append('\n');
        b.append("  topology {\n");
        b.append("    iommus = ").append(t.iommus()).append('\n');
        b.append("    kind = ").append(t.kind()).append('\n');
        b.append("    queueDepth = ").append(t.queueDepth()).append('\n');
        b.append("    devicesPerIommu = ").append(t.devicesPerIommu()).append('\n');
        b.append("    vfsPerDevice = ").append(t.vfsPerDevice()).append('\n');
        b.append("    pasids = ").append(t.pasids()).append('\n');
        b.append("    allocation = ").append(t.allocation()).append('\n');
        b.append("    ioasidsPerOwner = ").append(t.ioasidsPerOwner()).append('\n');
        b.append("    assignment = ").append(t.assignment()).append('\n');
        b.append("    ownerKinds = ").append(t.ownerKinds()).append('\n');
        b.append("    viommus = ").append(t.viommus()).append('\n');
        b.append("    viommuQueueDepth = ").append(t.viommuQueueDepth()).append('\n');
        b.append("    mode = ").append(t.mode()).append('\n');
        b.append("    stallingDevicesPerIommu = ").append(t.stallingDevicesPerIommu()).append('\n');
        b.append("    stallLimit = ").append(t.stallLimit()).append('\n');
        b.append("    eventQueueDepth = ").append(t.eventQueueDepth()).append('\n');
        b.append("  }\n");
        b.append("  load ").append(load(s.load())).append('\n');
        b.append("  pasidChoice ").append(pasidChoice(s.pasidChoice())).append('\n');
        b.append("  requestsPerGroup { min = ").append(s.requestsPerGroup().min()).append(", max = ").append(s.requestsPerGroup().max()).append(" }\n");
        b.append("  policies {\n");
        for (OwnerKind kind : OwnerKind.values()) {
            FaultPolicy p = s.policy(kind);
            b.append("    ").append(kind).append(" { serviceTime ").append(serviceTime(p.serviceTime()))
                    .append(", invalidRatio = ").append(number(p.invalidRatio())).append(", failureRatio = ").append(number(p.failureRatio()))
                    .append(", queueCapacity = ").append(p.queueCapacity()).append(" }\n");
        }
        b.append("  }\n");
        List<String> stop = new ArrayList<>();
        s.stop().duration().ifPresent(d -> stop.add("duration = " + duration(d)));
        s.stop().groups().ifPresent(g -> stop.add("groups = " + g));
        b.append("  stop { ").append(String.join(", ", stop)).append(" }\n");
        b.append("  fabric {").append(s.fabric().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> " " + e.getKey() + " = " + e.getValue().render(CONCISE)).collect(Collectors.joining(","))).append(" }\n");
        b.append("  assertions = [").append(s.assertions().stream().map(a -> string(a.expression())).collect(Collectors.joining(", "))).append("]\n");
        b.append("  faults = [").append(s.faults().stream().map(ScenarioHocon::fault).collect(Collectors.joining(", "))).append("]\n");
        return b.append("}\n").toString();
    }

    private static String load(LoadProfile load) {
        if (load instanceof LoadProfile.Constant) {
            return "{ model = constant, rate = " + number(((LoadProfile.Constant) load).perSecond()) + " }";
        }
        if (load instanceof LoadProfile.Ramp) {
            LoadProfile.Ramp r = (LoadProfile.Ramp) load;
            return "{ model = ramp, from = " + number(r.fromPerSecond()) + ", to = " + number(r.toPerSecond()) + ", over = " + nanos(r.overNanos()) + " }";
        }
        if (load instanceof LoadProfile.Burst) {
            LoadProfile.Burst u = (LoadProfile.Burst) load;
            return "{ model = burst, base = " + number(u.basePerSecond()) + ", burst = " + number(u.burstPerSecond())
                    + ", length = " + nanos(u.burstNanos()) + ", period = " + nanos(u.periodNanos()) + " }";
        }
        if (load instanceof LoadProfile.Poisson) {
            return "{ model = poisson, rate = " + number(((LoadProfile.Poisson) load).perSecond()) + " }";
        }
        return "{ model = closed, concurrency = " + ((LoadProfile.Closed) load).concurrency() + " }";
    }

    private static String pasidChoice(PasidChoice c) {
        return c.kind() == PasidChoice.Kind.UNIFORM ? "{ kind = uniform }" : "{ kind = zipf, exponent = " + number(c.exponent()) + " }";
    }

    private static String serviceTime(ServiceTime t) {
        switch (t.shape()) {
            case ZERO: return "{ shape = zero }";
            case CONSTANT: return "{ shape = constant, value = " + nanos(t.aNanos()) + " }";
            case UNIFORM: return "{ shape = uniform, min = " + nanos(t.aNanos()) + ", max = " + nanos(t.bNanos()) + " }";
            default: return "{ shape = exponential, mean = " + nanos(t.aNanos()) + " }";
        }
    }

    private static String fault(FaultSpec f) {
        List<String> parts = new ArrayList<>();
        parts.add("kind = " + f.kind());
        parts.add("at = " + duration(f.at()));
        f.every().ifPresent(d -> parts.add("every = " + duration(d)));
        f.duration().ifPresent(d -> parts.add("duration = " + duration(d)));
        optional(f.fraction(), "fraction", parts);
        Fault fault = f.fault();
        double probability = fault.perMessage() > 0 ? fault.perMessage() : f.probability();
        if (probability != 1) parts.add("probability = " + number(probability));
        if (fault instanceof Fault.SlowOwner x) parts.add("latency " + serviceTime(x.latency()));
        else if (fault instanceof Fault.WrongAnswers x) parts.add("ratio = " + number(x.ratio()));
        else if (fault instanceof Fault.ForgedResponse x) parts.add("forgery = " + x.forgery().spelling());
        else if (fault instanceof Fault.GuestSlow x) parts.add("extra = " + duration(x.extra()));
        else if (fault instanceof Fault.VirtualQueueOverflow x) parts.add("fill = " + number(x.fill()));
        else if (fault instanceof Fault.Delay x) parts.add("latency " + serviceTime(x.latency()));
        else if (fault instanceof Fault.Reorder x) parts.add("window = " + duration(x.window()));
        return "{ " + String.join(", ", parts) + " }";
    }

    private static void optional(OptionalDouble v, String key, List<String> parts) {
        if (v.isPresent()) parts.add(key + " = " + number(v.getAsDouble()));
    }

    private static String string(String s) {
        ConfigValue v = ConfigValueFactory.fromAnyRef(s);
        return v.render(CONCISE);
    }

    private static String duration(Duration d) {
        return ConfigReader.renderDuration(d);
    }

    private static String nanos(long nanos) {
        return duration(Duration.ofNanos(nanos));
    }

    /** Plain digits for ordinary figures, exponent notation only for huge or tiny ones; HOCON reads both back exactly. */
    static String number(double d) {
        BigDecimal exact = BigDecimal.valueOf(d).stripTrailingZeros();
        return exact.precision() - exact.scale() > 15 || exact.scale() > 15 ? exact.toString() : exact.toPlainString();
    }
}
