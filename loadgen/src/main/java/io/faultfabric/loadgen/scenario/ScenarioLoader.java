package io.faultfabric.loadgen.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Loads scenarios from HOCON, strictly: every unknown key and every bad value is reported with its key path, and all
 * of them at once in a {@link ScenarioException}.
 *
 * <p>Layout: everything lives under one root object, {@code scenario { ... }}; the shipped
 * {@code scenarios/defaults.conf} documents every key. Layers, highest first: {@code --set key=value} overrides (values
 * are HOCON; later ones win), the scenario file, the defaults. Objects merge key by key, except the variant objects,
 * which are taken whole from the highest layer that chooses their variant: {@code load} (by {@code model}),
 * {@code pasidChoice} (by {@code kind}) and each policy's {@code serviceTime} (by {@code shape}); and {@code stop},
 * taken whole from the highest layer that states it. So a scenario that says {@code load { model = closed, concurrency = 8 }}
 * does not inherit the default's {@code rate}, and {@code --set scenario.stop.groups=1000} stops at 1000 groups only.
 */
public final class ScenarioLoader {
    public static final String ROOT = "scenario";
    public static final String DEFAULTS_RESOURCE = "scenarios/defaults.conf";
    /** The shipped scenarios' names, one a line: class loaders cannot list a directory inside a jar. */
    public static final String INDEX_RESOURCE = "scenarios/index";
    private static final String SET_EXAMPLE = "e.g. --set scenario.topology.mode=DEVICE";

    /** A scenario that ships with the tool, with the first line of its description. */
    public record Shipped(String name, String description) {}

    private final ClassLoader classLoader;
    private final Config defaults;

    public ScenarioLoader() {
        this(ScenarioLoader.class.getClassLoader());
    }

    public ScenarioLoader(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.defaults = ConfigFactory.parseResources(classLoader, DEFAULTS_RESOURCE, ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /** The shipped scenarios, in the index's order. */
    public List<Shipped> shipped() {
        List<Shipped> all = new ArrayList<>();
        for (String name : shippedNames()) {
            Config c = shippedConfig(name);
            String description = c.hasPath(ROOT + ".description") ? c.getString(ROOT + ".description") : "";
            all.add(new Shipped(name, description.strip().lines().findFirst().orElse("")));
        }
        return all;
    }

    public List<String> shippedNames() {
        InputStream in = classLoader.getResourceAsStream(INDEX_RESOURCE);
        if (in == null) throw new IllegalStateException(INDEX_RESOURCE + " is missing from the class path");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads {@code scenario}: the path of a scenario file if such a file exists, else the name of a shipped scenario.
     * A file's scenario is named after the file (without {@code .conf}) unless it states {@code name}.
     */
    public Scenario load(String scenario, List<String> sets) {
        Path file = Path.of(scenario);
        if (Files.isRegularFile(file) || scenario.endsWith(".conf") || scenario.contains("/") || scenario.contains(file.getFileSystem().getSeparator())) {
            return load(file, sets);
        }
        return loadShipped(scenario, sets);
    }

    public Scenario load(Path file, List<String> sets) {
        if (!Files.exists(file)) throw new ScenarioException("scenario file " + file + ": not found; expected the path of a .conf file or a shipped scenario ("
                + String.join(", ", shippedNames()) + ")");
        if (!Files.isRegularFile(file)) throw new ScenarioException("scenario file " + file + ": not a regular file");
        String base = file.getFileName().toString().replaceFirst("\\.conf$", "");
        return build(parse(() -> ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)), "scenario file " + file),
                base, sets);
    }

    public Scenario loadShipped(String name, List<String> sets) {
        List<String> names = shippedNames();
        if (!names.contains(name)) {
            throw new ScenarioException("scenario \"" + name + "\": no such file, and not a shipped scenario; "
                    + Suggestions.closest(name, names).map(s -> "did you mean " + s + "? ").orElse("")
                    + "shipped scenarios are " + String.join(", ", names));
        }
        return build(shippedConfig(name), name, sets);
    }

    /** Loads a scenario from HOCON text, named {@code name} unless it states its own. */
    public Scenario parse(String hocon, String name, List<String> sets) {
        return build(parse(() -> ConfigFactory.parseString(hocon), "scenario text"), name, sets);
    }

    private Config shippedConfig(String name) {
        return ConfigFactory.parseResources(classLoader, "scenarios/" + name + ".conf", ConfigParseOptions.defaults().setAllowMissing(false));
    }

    private interface Parse {
        Config parse();
    }

    private static Config parse(Parse parse, String what) {
        try {
            return parse.parse();
        } catch (ConfigException e) {
            throw new ScenarioException(what + ": " + e.getMessage());
        }
    }

    private Scenario build(Config file, String defaultName, List<String> sets) {
        List<String> errors = new ArrayList<>();
        Config overrides = overrides(sets, errors);
        if (!errors.isEmpty()) throw new ScenarioException(errors);
        Config merged;
        try {
            merged = layer(overrides, layer(file, defaults)).resolve();
        } catch (ConfigException e) {
            throw new ScenarioException(e.getMessage());
        }
        return ScenarioReader.read(merged, defaultName);
    }

    /** Parses {@code --set key=value} arguments into one config, later ones winning. */
    static Config overrides(List<String> sets, List<String> errors) {
        Config out = ConfigFactory.empty();
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                errors.add("--set " + set + ": expected key=value, " + SET_EXAMPLE);
                continue;
            }
            String key = set.substring(0, eq).strip();
            String text = set.substring(eq + 1);
            try {
                ConfigUtil.splitPath(key);
            } catch (ConfigException e) {
                errors.add("--set " + set + ": \"" + key + "\" is not a key path; expected dotted keys, " + SET_EXAMPLE);
                continue;
            }
            ConfigObject parsed;
            try {
                parsed = ConfigFactory.parseString("value = " + text).root();
            } catch (ConfigException e) {
                errors.add("--set " + set + ": the value is not HOCON (" + e.getMessage().replaceFirst("^String: \\d+: ", "") + ")");
                continue;
            }
            if (parsed.size() != 1 || !parsed.containsKey("value")) {
                errors.add("--set " + set + ": expected a single value after =; quote it if it contains , or =");
                continue;
            }
            out = out.withValue(key, parsed.get("value"));
        }
        return out;
    }

    /** {@code upper} over {@code lower}, with the variant objects taken whole from {@code upper} where it chooses them. */
    static Config layer(Config upper, Config lower) {
        ConfigObject top = upper.root();
        Config trimmed = lower;
        if (states(top, ROOT, "load", "model")) trimmed = trimmed.withoutPath(ConfigUtil.joinPath(ROOT, "load"));
        if (states(top, ROOT, "pasidChoice", "kind")) trimmed = trimmed.withoutPath(ConfigUtil.joinPath(ROOT, "pasidChoice"));
        if (states(top, ROOT, "stop")) trimmed = trimmed.withoutPath(ConfigUtil.joinPath(ROOT, "stop"));
        ConfigValue policies = at(top, ROOT, "policies");
        if (policies instanceof ConfigObject) {
            for (String kind : ((ConfigObject) policies).keySet()) {
                if (states(top, ROOT, "policies", kind, "serviceTime", "shape")) {
                    trimmed = trimmed.withoutPath(ConfigUtil.joinPath(ROOT, "policies", kind, "serviceTime"));
                }
            }
        }
        return upper.withFallback(trimmed);
    }

    private static boolean states(ConfigObject root, String... keys) {
        return at(root, keys) != null;
    }

    private static ConfigValue at(ConfigObject root, String... keys) {
        ConfigValue v = root;
        for (String key : keys) {
            if (!(v instanceof ConfigObject)) return null;
            v = ((ConfigObject) v).get(key);
        }
        return v;
    }
}
