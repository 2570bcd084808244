package io.faultfabric.loadgen.scenario;

import io.faultfabric.engine.workload.LoadProfile;
import io.faultfabric.engine.IommuKind;
import io.faultfabric.engine.OwnerKind;
import io.faultfabric.engine.RoutingMode;
import io.faultfabric.engine.owner.ServiceTime;
import io.faultfabric.engine.workload.PasidChoice;
import io.faultfabric.actors.FabricSettings;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioLoaderTest {
    private final ScenarioLoader loader = new ScenarioLoader();

    static List<String> shipped() {
        return new ScenarioLoader().shippedNames();
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void everyShippedScenarioLoadsWithADescriptionAndTheInvariantAssertions(String name) {
        Scenario s = loader.loadShipped(name, List.of());

        assertThat(s.name()).isEqualTo(name);
        assertThat(s.description()).isNotBlank();
        assertThat(s.assertions()).extracting(Assertion::expression).contains("lostGroups == 0", "violations == 0");
        assertThat(s.topology().build().pasidCount()).isEqualTo(s.topology().pasids());
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void aShippedScenarioWrittenBackAsHoconLoadsToTheSameScenario(String name) {
        Scenario s = loader.loadShipped(name, List.of());

        assertThat(loader.parse(ScenarioHocon.render(s), "other", List.of())).isEqualTo(s);
    }

    @Test
    void theIndexListsExactlyTheShippedScenarioFiles() throws URISyntaxException, IOException {
        Path dir = Path.of(getClass().getClassLoader().getResource(ScenarioLoader.DEFAULTS_RESOURCE).toURI()).getParent();
        try (Stream<Path> files = Files.list(dir)) {
            List<String> conf = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".conf") && !f.equals("defaults.conf"))
                    .map(f -> f.replaceFirst("\\.conf$", "")).sorted().collect(Collectors.toList());
            assertThat(loader.shippedNames()).containsExactlyInAnyOrderElementsOf(conf);
        }
        assertThat(loader.shippedNames()).startsWith("default");
        assertThat(loader.shipped()).allSatisfy(s -> assertThat(s.description()).isNotBlank().doesNotContain("\n"));
    }

    @Test
    void theShippedScenariosHaveTheSizesTheirNamesPromise() {
        assertThat(loader.loadShipped("million-pasids", List.of()).topology().pasids()).isEqualTo(1 << 20);
        Scenario mixed = loader.loadShipped("mixed-datacentre", List.of());
        assertThat(mixed.topology().pasids()).isEqualTo(65_536);
        assertThat(mixed.topology().ownerKinds()).containsExactlyInAnyOrder(OwnerKind.values());
        Scenario small = loader.loadShipped("default", List.of());
        assertThat(small.topology().pasids()).isLessThanOrEqualTo(1024);
        assertThat(small.topology().ownerKinds()).containsExactly(OwnerKind.HOST_SVA, OwnerKind.USER_DRIVER);
        assertThat(small.stop()).isEqualTo(StopCondition.after(Duration.ofSeconds(5)));
    }

    @Test
    void ownerVsDeviceFlipsItsRoutingModeAndNothingElse() {
        Scenario owner = loader.loadShipped("owner-vs-device", List.of());
        Scenario device = loader.loadShipped("owner-vs-device", List.of("scenario.topology.mode=DEVICE"));

        assertThat(owner.topology().mode()).isEqualTo(RoutingMode.OWNER);
        assertThat(device.topology().mode()).isEqualTo(RoutingMode.DEVICE);
        assertThat(device.withTopology(owner.topology())).isEqualTo(owner);
    }

    @Test
    void stallMixPutsStallingDevicesBesidePriDevicesBehindSmmuV3Units() {
        Scenario s = loader.loadShipped("stall-mix", List.of());
        var t = s.topology().build();

        assertThat(s.topology().kind()).isEqualTo(IommuKind.SMMUV3);
        assertThat(t.stallingDeviceCount()).isEqualTo(s.topology().iommus() * 2);
        assertThat(t.deviceCount() - t.stallingDeviceCount()).as("PRI devices").isEqualTo(s.topology().iommus() * 2);
        assertThat(t.deviceAllocation(0)).isEqualTo(s.topology().stallLimit());
        assertThat(t.iommuEventQueueDepth(0)).isEqualTo(s.topology().eventQueueDepth());
        Scenario device = loader.loadShipped("stall-mix", List.of("scenario.topology.mode=DEVICE"));
        assertThat(device.withTopology(s.topology())).isEqualTo(s);
    }

    @Test
    void stallingDevicesAreValidatedAgainstTheRestOfTheTopology() {
        assertThat(errors("scenario.topology.stallingDevicesPerIommu = 1")).containsExactly(
                "scenario.topology.stallingDevicesPerIommu = 1: expected 0 with kind = VTD: stalling devices are platform devices behind an SMMUv3"
                        + " (its stall model); set kind = SMMUV3 to mix them with PRI devices");
        assertThat(errors("scenario.topology { kind = SMMUV3, stallingDevicesPerIommu = 5 }")).containsExactly(
                "scenario.topology.stallingDevicesPerIommu = 5: expected at most devicesPerIommu (4): the stalling devices are some of each unit's devices");
        assertThat(errors("scenario.topology { kind = SMMUV3, stallingDevicesPerIommu = 1, vfsPerDevice = 1, pasids = 8 }")).containsExactly(
                "scenario.topology.stallingDevicesPerIommu = 1: expected 0 with vfsPerDevice = 1: a stalling platform device has no VFs,"
                        + " and every function binds as many PASIDs; set vfsPerDevice = 0");
        assertThat(errors("scenario.topology { stallLimit = 65537, eventQueueDepth = 0 }")).containsExactlyInAnyOrder(
                "scenario.topology.stallLimit = 65537: expected a whole number in 1..65536",
                "scenario.topology.eventQueueDepth = 0: expected a whole number in 1..524288");
    }

    @Test
    void aFileStatesOnlyWhatDiffersFromTheDefaults() {
        Scenario s = loader.parse("scenario { description = \"tiny\", topology.pasids = 512 }", "tiny", List.of());

        assertThat(s.name()).isEqualTo("tiny");
        assertThat(s.seed()).isEqualTo(1);
        assertThat(s.topology().pasids()).isEqualTo(512);
        assertThat(s.topology().kind()).isEqualTo(IommuKind.VTD);
        assertThat(s.load()).isEqualTo(new LoadProfile.Constant(100_000));
        assertThat(s.pasidChoice()).isEqualTo(PasidChoice.UNIFORM);
        assertThat(s.policy(OwnerKind.GUEST).serviceTime()).isEqualTo(ServiceTime.uniform(20_000, 60_000));
        assertThat(s.fabric().isEmpty()).isTrue();
        assertThat(s.faults()).isEmpty();
    }

    @Test
    void aScenarioFileIsNamedAfterItselfUnlessItSaysOtherwise(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("night-shift.conf"), "scenario { topology.pasids = 512 }");
        Path named = Files.writeString(dir.resolve("x.conf"), "scenario { name = day-shift }");

        assertThat(loader.load(file.toString(), List.of()).name()).isEqualTo("night-shift");
        assertThat(loader.load(named, List.of()).name()).isEqualTo("day-shift");
    }

    @Test
    void choosingALoadModelReplacesTheLowerLayersLoadWhole() {
        Scenario closed = loader.parse("scenario.load { model = closed, concurrency = 8 }", "s", List.of());
        Scenario viaSet = loader.loadShipped("default", List.of("scenario.load.model=ramp", "scenario.load.from=10",
                "scenario.load.to=1000", "scenario.load.over=2s"));
        Scenario tweaked = loader.loadShipped("default", List.of("scenario.load.rate=5000"));

        assertThat(closed.load()).isEqualTo(new LoadProfile.Closed(8));
        assertThat(viaSet.load()).isEqualTo(new LoadProfile.Ramp(10, 1000, Duration.ofSeconds(2).toNanos()));
        assertThat(tweaked.load()).isEqualTo(new LoadProfile.Constant(5000));
    }

    @Test
    void serviceTimeAndPasidChoiceAreVariantsToo() {
        Scenario s = loader.parse("scenario { pasidChoice { kind = zipf, exponent = 1.2 }\n"
                + "policies.GUEST.serviceTime { shape = exponential, mean = 45us } }", "s", List.of());
        Scenario back = loader.parse("scenario.pasidChoice.kind = zipf, scenario.pasidChoice.exponent = 2", "s",
                List.of("scenario.pasidChoice.kind=uniform"));

        assertThat(s.pasidChoice()).isEqualTo(PasidChoice.zipf(1.2));
        assertThat(s.policy(OwnerKind.GUEST).serviceTime()).isEqualTo(ServiceTime.exponential(45_000));
        assertThat(back.pasidChoice()).isEqualTo(PasidChoice.UNIFORM);
    }

    @Test
    void aStatedStopReplacesTheLowerOneWhole() {
        Scenario s = loader.loadShipped("default", List.of("scenario.stop.groups=1000"));
        Scenario both = loader.parse("scenario.stop { duration = 2s, groups = 10 }", "s", List.of());

        assertThat(s.stop()).isEqualTo(StopCondition.afterGroups(1000));
        assertThat(both.stop()).isEqualTo(new StopCondition(Optional.of(Duration.ofSeconds(2)), OptionalLong.of(10)));
    }

    @Test
    void laterSetsWinAndValuesAreHocon() {
        Scenario s = loader.loadShipped("default", List.of("scenario.seed=7", "scenario.seed=9",
                "scenario.description=two words", "scenario.assertions=[\"p99Micros < 500\", \"violations == 0\"]"));

        assertThat(s.seed()).isEqualTo(9);
        assertThat(s.description()).isEqualTo("two words");
        assertThat(s.assertions()).extracting(Assertion::expression).containsExactly("p99Micros < 500", "violations == 0");
    }

    @Test
    void fabricOverridesReachThePekkoConfigAndAreValidatedThere() {
        Scenario s = loader.loadShipped("default", List.of("scenario.fabric.response-timeout=200ms"));

        FabricSettings settings = FabricSettings.fromConfig(s.fabricConfig().withFallback(ConfigFactory.defaultReference()));
        assertThat(settings.responseTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(errors("scenario.fabric { response-timout = 1s }"))
                .containsExactly("scenario.fabric.response-timout: unknown key; did you mean response-timeout?");
        assertThat(errors("scenario.fabric { drain-batch = 0 }")).containsExactly("scenario.fabric.drain-batch must be 1..1048576, was 0");
        assertThat(errors("scenario.fabric { device-batch = 2.5 }")).containsExactly("scenario.fabric.device-batch = 2.5 is not a whole number");
        assertThat(errors("scenario.fabric { response-timeout = 300 }"))
                .containsExactly("scenario.fabric.response-timeout = 300 has no unit; expected a duration such as 500ms or 2s");
        assertThat(errors("scenario.fabric { dispatcher = nope }")).containsExactly("scenario.fabric.dispatcher = \"nope\": no dispatcher is "
                + "configured at that path; expected the config path of a dispatcher section, such as faultfabric.data-plane-dispatcher or "
                + "pekko.actor.default-dispatcher");
        assertThat(loader.parse("scenario.fabric { dispatcher = \"pekko.actor.default-dispatcher\" }", "s", List.of()).fabricConfig()
                .getString("faultfabric.dispatcher")).isEqualTo("pekko.actor.default-dispatcher");
        assertThat(errors("scenario.fabric { data-plane-dispatcher = x }"))
                .containsExactly("scenario.fabric.data-plane-dispatcher = \"x\": expected an object, as in the faultfabric reference.conf");
    }

    @Test
    void faultsAreTypedValuesWithTheirParametersAndSchedules() {
        Scenario s = loader.parse("scenario.faults = [{ kind = OwnerHang, at = 2s, every = 10s, duration = 1s, fraction = 0.01 },"
                + " { kind = DropResponse, probability = 0.001 },"
                + " { kind = SlowOwner, at = 1s, duration = 3s, latency { shape = exponential, mean = 2ms } },"
                + " { kind = forgedresponse, probability = 0.5, forgery = pasid },"
                + " { kind = OwnerCrash, every = 2s, probability = 0.25 }]", "s", List.of());

        assertThat(s.faults()).containsExactly(
                new FaultSpec(new Fault.OwnerHang(), Duration.ofSeconds(2), Optional.of(Duration.ofSeconds(10)), Optional.of(Duration.ofSeconds(1)),
                        OptionalDouble.of(0.01), 1),
                FaultSpec.once(new Fault.DropResponse(0.001), Duration.ZERO),
                FaultSpec.once(new Fault.SlowOwner(ServiceTime.exponential(2_000_000)), Duration.ofSeconds(1)).lasting(Duration.ofSeconds(3)),
                FaultSpec.once(new Fault.ForgedResponse(0.5, Fault.Forgery.PASID), Duration.ZERO),
                new FaultSpec(new Fault.OwnerCrash(), Duration.ZERO, Optional.of(Duration.ofSeconds(2)), Optional.empty(), OptionalDouble.empty(), 0.25));
        assertThat(s.faults()).extracting(FaultSpec::kind).containsExactly("OwnerHang", "DropResponse", "SlowOwner", "ForgedResponse", "OwnerCrash");
        assertThat(loader.parse("scenario.faults = [{ kind = WrongAnswers }, { kind = VirtualQueueOverflow, fill = 0.5 },"
                + " { kind = Reorder, window = 2ms }, { kind = GuestSlow, extra = 50us, duration = 1s }]",
                "s", List.of("scenario.topology.ownerKinds=[GUEST]", "scenario.topology.viommus=1")).faults())
                .extracting(FaultSpec::fault)
                .containsExactly(new Fault.WrongAnswers(1), new Fault.VirtualQueueOverflow(0.5), new Fault.Reorder(1, Duration.ofMillis(2)),
                        new Fault.GuestSlow(Duration.ofNanos(50_000)));
    }

    @Test
    void everyFaultKindCanBeWrittenAndReadBack() {
        String all = String.join(",", "{ kind = OwnerCrash, every = 1s, fraction = 0.1 }", "{ kind = OwnerHang, duration = 1s }",
                "{ kind = SlowOwner, latency { shape = constant, value = 1ms } }", "{ kind = WrongAnswers, ratio = 0.5 }",
                "{ kind = DropResponse, probability = 0.1 }", "{ kind = DuplicateResponse, probability = 0.1 }",
                "{ kind = ForgedResponse, probability = 0.1, forgery = prgi }", "{ kind = GuestHang, at = 1s, every = 3s, duration = 1s }",
                "{ kind = GuestSlow, extra = 1ms }", "{ kind = VirtualQueueOverflow }", "{ kind = PrqOverflowStorm, duration = 100ms }",
                "{ kind = IommuRestart }", "{ kind = DeviceReset, probability = 0.5 }", "{ kind = PriDisabledByFailure }",
                "{ kind = PasidTeardown, fraction = 0.01 }", "{ kind = OwnerReplace }", "{ kind = HotUnplug, duration = 1s }",
                "{ kind = Delay, latency { shape = uniform, min = 10us, max = 1ms } }", "{ kind = Reorder, probability = 0.5, window = 1ms }");
        Scenario s = loader.parse("scenario.faults = [" + all + "]", "s", List.of("scenario.topology.ownerKinds=[GUEST]", "scenario.topology.viommus=1"));

        assertThat(s.faults()).extracting(FaultSpec::kind).containsExactlyElementsOf(Fault.KINDS);
        assertThat(loader.parse(ScenarioHocon.render(s), "s", List.of())).isEqualTo(s);
    }

    @Test
    void aFaultIsCheckedStrictlyWithItsKeyPath() {
        assertThat(errors("scenario.faults = [{ at = 1s, fraktion = 0.5 }, 3]")).containsExactly(
                "scenario.faults[0].kind: missing; expected one of " + String.join(", ", Fault.KINDS),
                "scenario.faults[0].fraktion: unknown key; did you mean fraction?",
                "scenario.faults[1] = 3: expected an object such as { kind = OwnerHang, at = 2s, every = 5s, duration = 1s, fraction = 0.01 }");
        assertThat(errors("scenario.faults = [{ kind = OwnerHnag }]")).containsExactly(
                "scenario.faults[0].kind = \"OwnerHnag\": unknown fault kind; did you mean OwnerHang? expected one of " + String.join(", ", Fault.KINDS));
        assertThat(errors("scenario.faults = [{ kind = OwnerCrash, duration = 1s }]"))
                .containsExactly("scenario.faults[0]: OwnerCrash happens at an instant; it takes no duration");
        assertThat(errors("scenario.faults = [{ kind = OwnerHang, latency { shape = zero } }]"))
                .containsExactly("scenario.faults[0].latency: unknown key; expected one of kind, at, every, probability, fraction, duration");
        assertThat(errors("scenario.faults = [{ kind = DropResponse }]"))
                .containsExactly("scenario.faults[0].probability: missing; expected a number in (0, 1]: the chance that DropResponse strikes a message");
        assertThat(errors("scenario.faults = [{ kind = SlowOwner }]")).containsExactly("scenario.faults[0].latency: missing; expected an object { ... }");
        assertThat(errors("scenario.faults = [{ kind = OwnerHang, every = 1s, duration = 2s }]"))
                .containsExactly("scenario.faults[0]: duration (2s) must be shorter than every (1s), so that a strike is healed before the next");
        assertThat(errors("scenario.faults = [{ kind = OwnerHang, fraction = 0, at = -1s }]")).containsExactly(
                "scenario.faults[0].at = \"-1s\": expected a duration >= 0 with a unit, e.g. 20us, 500ms, 10s or 2m",
                "scenario.faults[0].fraction = 0: expected a number in (0, 1]: the share of the targets each strike hits");
        assertThat(errors("scenario.faults = [{ kind = ForgedResponse, probability = 0.1, forgery = cookie }]"))
                .containsExactly("scenario.faults[0].forgery = \"cookie\": expected one of prgi, pasid, owner");
        assertThat(errors("scenario.faults = [{ kind = GuestHang }]")).containsExactly("scenario.faults[0].kind = \"GuestHang\": expected a fault "
                + "the topology can take: GuestHang strikes guests, and scenario.topology.ownerKinds has no GUEST");
    }

    // --- bad input: every kind names its key path, the value and what is allowed

    @Test
    void anUnknownKeyIsAnErrorWithTheClosestKnownKey() {
        assertThat(errors("scenario.topology.devicesPerIommuu = 4"))
                .containsExactly("scenario.topology.devicesPerIommuu: unknown key; did you mean devicesPerIommu?");
        assertThat(errors("scenario.topology.colour = blue")).singleElement().asString()
                .startsWith("scenario.topology.colour: unknown key; expected one of iommus, kind, queueDepth");
        assertThat(errors("scenario.lode.model = closed")).containsExactly("scenario.lode: unknown key; did you mean load?");
        assertThat(errors("topology.pasids = 8"))
                .containsExactly("topology: unknown key; a scenario lives under scenario { ... }, e.g. scenario.topology");
        assertThat(errors("scenario.load { model = closed, concurrency = 4, rate = 9 }"))
                .containsExactly("scenario.load.rate: unknown key; expected one of model, concurrency");
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatWasExpected() {
        assertThat(errors("scenario.topology.pasids = many")).containsExactly("scenario.topology.pasids = \"many\": expected a whole number in 1..2147483647");
        assertThat(errors("scenario.topology = 5")).containsExactly("scenario.topology = 5: expected an object { ... }");
        assertThat(errors("scenario.topology.ownerKinds = GUEST")).singleElement().asString()
                .isEqualTo("scenario.topology.ownerKinds = \"GUEST\": expected a list [ ... ] of owner kinds (HOST_SVA, USER_DRIVER, VDPA, GUEST)");
        assertThat(errors("scenario.stop.duration = 5")).containsExactly(
                "scenario.stop.duration = 5: expected a duration > 0 with a unit, e.g. 20us, 500ms, 10s or 2m");
        assertThat(errors("scenario.policies.HOST_SVA.invalidRatio = lots")).containsExactly(
                "scenario.policies.HOST_SVA.invalidRatio = \"lots\": expected a number in [0, 1] (share of groups answered Invalid)");
    }

    @Test
    void aValueOutOfRangeSaysTheRange() {
        assertThat(errors("scenario.topology.vfsPerDevice = 300")).containsExactly("scenario.topology.vfsPerDevice = 300: expected a whole number in 0..255");
        assertThat(errors("scenario.topology.queueDepth = 40000"))
                .containsExactly("scenario.topology.queueDepth = 40000: expected a whole number in 1..32768 for VTD");
        assertThat(errors("scenario.load.rate = 0"))
                .containsExactly("scenario.load.rate = 0: expected a number > 0 (groups per second across the fabric)");
        assertThat(errors("scenario.requestsPerGroup { min = 1, max = 600 }"))
                .containsExactly("scenario.requestsPerGroup.max = 600: expected a whole number in 1..512");
        assertThat(errors("scenario.topology.viommuQueueDepth = 64"))
                .containsExactly("scenario.topology.viommuQueueDepth = 64: expected a whole number in 128..16384");
        assertThat(errors("scenario.topology.devicesPerIommu = 0.5")).containsExactly("scenario.topology.devicesPerIommu = 0.5: expected a whole number in 1..65280");
    }

    @Test
    void anUnknownEnumValueListsTheAllowedOnes() {
        assertThat(errors("scenario.topology.kind = VTX")).containsExactly("scenario.topology.kind = \"VTX\": expected one of VTD, SMMUV3, RISCV");
        assertThat(errors("scenario.topology.ownerKinds = [HOST_SVA, GEST]")).containsExactly(
                "scenario.topology.ownerKinds[1] = \"GEST\": expected one of HOST_SVA, USER_DRIVER, VDPA, GUEST");
        assertThat(errors("scenario.load.model = square"))
                .containsExactly("scenario.load.model = \"square\": expected one of constant, ramp, burst, poisson, closed");
        assertThat(loader.parse("scenario.topology.kind = smmuv3", "s", List.of()).topology().kind()).isEqualTo(IommuKind.SMMUV3);
    }

    @Test
    void valuesThatDoNotFitTogetherAreNamedWithTheirConstraint() {
        assertThat(errors("scenario.topology { devicesPerIommu = 3, pasids = 1000 }")).containsExactly(
                "scenario.topology.pasids = 1000: expected a multiple of the 3 PCIe functions (iommus x devicesPerIommu x (vfsPerDevice + 1)),"
                        + " so that each binds as many PASIDs");
        assertThat(errors("scenario.topology.ownerKinds = [GUEST]")).containsExactly(
                "scenario.topology.viommus = 0: expected at least 1: ownerKinds includes GUEST, and guests fault through a vIOMMU");
        assertThat(errors("scenario.requestsPerGroup.max = 64")).containsExactly(
                "scenario.requestsPerGroup.max = 64: expected at most scenario.topology.allocation (32): a device could never issue a bigger group");
        assertThat(errors("scenario.load { model = burst, base = 1, burst = 9, length = 2s, period = 1s }"))
                .containsExactly("scenario.load.period = \"1s\": expected a duration longer than length (2s)");
        assertThat(errors("scenario.policies.VDPA { invalidRatio = 0.6, failureRatio = 0.6 }"))
                .containsExactly("scenario.policies.VDPA: invalidRatio + failureRatio = 1.2; expected at most 1");
        assertThat(errors("scenario.stop = {}")).containsExactly("scenario.stop: expected duration, groups or both, e.g. stop { duration = 30s }");
    }

    @Test
    void aBadAssertionIsAnErrorAtLoadNotAtTheEndOfTheRun() {
        assertThat(errors("scenario.assertions = [\"lostGroups = 0\"]")).containsExactly("scenario.assertions[0] = \"lostGroups = 0\": expected "
                + "<metric> <comparison> <number>, e.g. \"p99Micros < 500\"; comparisons are == != < <= > >=");
        assertThat(errors("scenario.assertions = [\"violations == 0\", \"p99Micro < 500\"]"))
                .containsExactly("scenario.assertions[1] = \"p99Micro < 500\": unknown metric p99Micro; did you mean p99Micros?");
        assertThat(errors("scenario.assertions = [\"outcomes.auto.TIMEOUTT <= 10\"]")).containsExactly(
                "scenario.assertions[0] = \"outcomes.auto.TIMEOUTT <= 10\": unknown metric outcomes.auto.TIMEOUTT; did you mean outcomes.auto.TIMEOUT?");
    }

    @Test
    void badSetArgumentsAreNamedAsSuch() {
        assertThat(setErrors("scenario.topology.mode")).containsExactly(
                "--set scenario.topology.mode: expected key=value, e.g. --set scenario.topology.mode=DEVICE");
        assertThat(setErrors("=DEVICE")).containsExactly("--set =DEVICE: expected key=value, e.g. --set scenario.topology.mode=DEVICE");
        assertThat(setErrors("scenario..mode=DEVICE")).containsExactly(
                "--set scenario..mode=DEVICE: \"scenario..mode\" is not a key path; expected dotted keys, e.g. --set scenario.topology.mode=DEVICE");
        assertThat(setErrors("scenario.assertions=[\"a\"")).singleElement().asString().startsWith("--set scenario.assertions=[\"a\": the value is not HOCON");
        assertThat(setErrors("scenario.seed=1, scenario.x=2")).containsExactly(
                "--set scenario.seed=1, scenario.x=2: expected a single value after =; quote it if it contains , or =");
        assertThat(setErrors("scenario.topology.mode=DEVCE")).containsExactly(
                "scenario.topology.mode = \"DEVCE\": expected one of OWNER, DEVICE");
    }

    @Test
    void aMissingFileOrUnknownNameIsReportedWithWhatThereIs(@TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.conf").toString(), List.of()))
                .isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("scenario file " + dir.resolve("nope.conf") + ": not found; expected the path of a .conf file or a shipped scenario (default, ");
        assertThatThrownBy(() -> loader.load("defualt", List.of())).isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("scenario \"defualt\": no such file, and not a shipped scenario; did you mean default? shipped scenarios are default, ");
        assertThatThrownBy(() -> loader.load(dir.toString(), List.of())).isInstanceOf(ScenarioException.class).hasMessageEndingWith(": not a regular file");
    }

    @Test
    void aSyntaxErrorNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("broken.conf"), "scenario {\n  seed = 1\n  topology {\n");

        assertThatThrownBy(() -> loader.load(file, List.of())).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("broken.conf").hasMessageContaining(": 4:");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThat(errors("scenario { topology { devicesPerIommuu = 4, kind = VTX }, load.rate = -1, assertions = [\"x > 1\"], extra = 1 }"))
                .containsExactly(
                        "scenario.topology.kind = \"VTX\": expected one of VTD, SMMUV3, RISCV",
                        "scenario.topology.devicesPerIommuu: unknown key; did you mean devicesPerIommu?",
                        "scenario.load.rate = -1: expected a number > 0 (groups per second across the fabric)",
                        "scenario.assertions[0] = \"x > 1\": unknown metric x; metrics are issuedGroups, completedGroups, lostGroups, "
                                + "throughputPerSec, durationSeconds, pasids, p50Micros, p90Micros, p99Micros, p999Micros, maxMicros, meanMicros, "
                                + "violations, heapPeakBytes, faultsInjected, outcomes.<outcome> and violations.<INVARIANT>",
                        "scenario.extra: unknown key; expected one of name, description, seed, topology, load, pasidChoice, requestsPerGroup, "
                                + "policies, stop, fabric, assertions, faults");
    }

    @Test
    void aNameTakenFromTheFileSaysSoAndHowToSetOne() {
        assertThatThrownBy(() -> loader.parse("scenario.seed = 3", "my run", List.of())).isInstanceOf(ScenarioException.class)
                .extracting(e -> ((ScenarioException) e).errors()).asList().containsExactly("scenario.name: not set, and the file's name "
                        + "\"my run\" is not usable as one (letters, digits, '.', '_' or '-', not starting with '.', '_' or '-'); set scenario.name, e.g. name = my-run");
        assertThat(errors("scenario.name = \"my run\"")).containsExactly(
                "scenario.name: \"my run\" is not a usable name; expected letters, digits, '.', '_' or '-', not starting with '.', '_' or '-'");
    }

    private List<String> errors(String hocon) {
        try {
            loader.parse(hocon, "s", List.of());
        } catch (ScenarioException e) {
            return e.errors();
        }
        throw new AssertionError("expected " + hocon + " to be rejected");
    }

    private List<String> setErrors(String set) {
        try {
            loader.loadShipped("default", List.of(set));
        } catch (ScenarioException e) {
            return e.errors();
        }
        throw new AssertionError("expected --set " + set + " to be rejected");
    }
}
