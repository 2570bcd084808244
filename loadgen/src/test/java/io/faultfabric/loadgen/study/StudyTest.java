package io.faultfabric.loadgen.study;

import io.faultfabric.engine.RoutingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The study on its tiny plan (one hung party, both modes, one seed): the outputs exist, and the result the model makes
 * certain holds. In DEVICE mode the hung party also reads device 0's ring, so the other owners of device 0 wait for
 * the IOMMU's timeout; in OWNER mode their faults never pass through the hung party, and with 16 owners per device
 * the hung one holds far fewer than the device's 256 credits within one timeout, so they see no timeout.
 */
class StudyTest {
    @Test
    void aHungPartyStallsItsDeviceSharersOnlyWhenFaultsAreRoutedByDevice(@TempDir Path out) throws Exception {
        List<StudyResult> rs = Study.run(Study.tiny(), out, new PrintStream(OutputStream.nullOutputStream()));

        for (String f : List.of("study.csv", "study.json", "study.md", "isolation-colocated-p99.svg")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        StudyResult owner = rs.stream().filter(r -> r.point().mode() == RoutingMode.OWNER).findFirst().orElseThrow();
        StudyResult device = rs.stream().filter(r -> r.point().mode() == RoutingMode.DEVICE).findFirst().orElseThrow();
        assertEquals(0, owner.violations(), "OWNER run violations");
        assertEquals(0, device.violations(), "DEVICE run violations");
        assertEquals(0, owner.coLocatedTimeouts(), "OWNER mode: co-located owners' timeouts");
        assertTrue(device.coLocatedTimeouts() > 0 || device.coLocatedP99() > 2 * owner.coLocatedP99(),
            "DEVICE mode: co-located owners should time out or see p99 rise; got " + device.coLocatedTimeouts() + " timeouts, p99 "
                + device.coLocatedP99() + " us vs OWNER " + owner.coLocatedP99() + " us");
        assertTrue(device.partyP99() > 0 && owner.partyP99() > 0);
    }

    /**
     * The same result when device 0 is a platform device that stalls (SMMUv3 stall model): its stalls reach the owners as
     * one-request groups, every one gets one resume, and a hung owner holds only its own stalls unless faults are routed by
     * device. Its stall limit is the PRI device's credits (256), so in OWNER mode the hung one holds far fewer within a timeout.
     */
    @Test
    void aHungPartyOnAStallingDeviceStallsItsDeviceSharersOnlyWhenFaultsAreRoutedByDevice(@TempDir Path out) throws Exception {
        List<StudyResult> rs = Study.run(Study.tinyStalls(), out, new PrintStream(OutputStream.nullOutputStream()));

        assertTrue(Files.readString(out.resolve("study.md")).contains("Stalling device 0's transactions"));
        assertTrue(Files.size(out.resolve("stalls-colocated-p99.svg")) > 0);
        StudyResult owner = rs.stream().filter(r -> r.point().mode() == RoutingMode.OWNER).findFirst().orElseThrow();
        StudyResult device = rs.stream().filter(r -> r.point().mode() == RoutingMode.DEVICE).findFirst().orElseThrow();
        for (StudyResult r : rs) {
            assertEquals(0, r.violations(), r.point().mode() + " run violations");
            assertTrue(r.stalls() > 0, "the stalling device stalled");
            assertEquals(r.stalls(), r.resumesRetry() + r.resumesAbort(), "one resume per stall");
            assertEquals(0, r.priDisabled(), "a stall's Failure disables nothing");
        }
        assertEquals(0, owner.coLocatedTimeouts(), "OWNER mode: co-located owners' timeouts");
        assertTrue(device.coLocatedTimeouts() > 0 || device.coLocatedP99() > 2 * owner.coLocatedP99(),
            "DEVICE mode: co-located owners should time out or see p99 rise; got " + device.coLocatedTimeouts() + " timeouts, p99 "
                + device.coLocatedP99() + " us vs OWNER " + owner.coLocatedP99() + " us");
    }
}
