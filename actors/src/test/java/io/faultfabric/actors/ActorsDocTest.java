package io.faultfabric.actors;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/actors.md names each actor's messages in a table: every name there is a message of that actor, and none is left out. */
class ActorsDocTest {
    private static final List<String> ACTORS = List.of("Fabric", "IommuUnit", "Device", "IoasidOwner", "VIommu");
    private static final Pattern NAME = Pattern.compile("`([A-Z][A-Za-z]*)(\\(|`)");

    @Test
    void everyMessageInTheProtocolTablesIsOneOfTheActorsMessagesAndEveryMessageIsThere() throws Exception {
        String doc = Files.readString(Path.of("..").toAbsolutePath().normalize().resolve("docs/actors.md"));
        Map<String, List<String>> tables = tables(doc);
        assertThat(tables.keySet()).containsAll(ACTORS);
        for (String actor : ACTORS) {
            Class<?> type = Class.forName("io.faultfabric.actors." + actor);
            Class<?> command = Class.forName("io.faultfabric.actors." + actor + "$Command");
            List<String> messages = new ArrayList<>();
            for (Class<?> nested : type.getDeclaredClasses()) {
                if (command.isAssignableFrom(nested) && nested != command) messages.add(nested.getSimpleName());
            }
            assertThat(tables.get(actor)).as("messages of %s in docs/actors.md", actor).containsExactlyInAnyOrderElementsOf(messages);
        }
    }

    /** The first column's message names of each "### Actor" table. */
    private static Map<String, List<String>> tables(String doc) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String actor = null;
        for (String line : doc.split("\n")) {
            if (line.startsWith("### ")) {
                actor = line.substring(4).split(" ")[0];
                out.put(actor, new ArrayList<>());
            } else if (line.startsWith("## ")) {
                actor = null;
            } else if (actor != null && line.startsWith("| ") && !line.startsWith("| message") && !line.startsWith("| ---")) {
                String first = line.substring(2, line.indexOf(" | "));
                Matcher m = NAME.matcher(first);
                while (m.find()) out.get(actor).add(m.group(1));
            }
        }
        return out;
    }
}
