package io.faultfabric.loadgen.study;

import io.faultfabric.engine.RoutingMode;

/**
 * One point of the routing study: two devices behind one VT-d unit, {@code pasidsPerDevice} address spaces on
 * each, held by {@code ownersPerDevice} parties; offered load as a fraction of the owners' service capacity; a
 * share of slow owners; and one party (owner 0, on device 0) impaired after a quarter of the run.
 *
 * @param experiment which sweep the point belongs to (rows of one chart share it)
 * @param guests     owners alternate host SVA process / guest behind a vIOMMU, instead of host processes only
 * @param stalls     device 0 is a platform device that faults by stalling (the Arm SMMUv3 stall model) and the unit an
 *                   SMMUv3; device 1 stays a PRI device. Party 0 and the co-located owners are then the stalling device's.
 */
public record StudyPoint(String experiment, RoutingMode mode, int pasidsPerDevice, int ownersPerDevice, double slowShare,
                         double load, Impairment impairment, boolean guests, long seed, boolean stalls) {

    /** A point of PRI devices behind a VT-d unit. */
    public StudyPoint(String experiment, RoutingMode mode, int pasidsPerDevice, int ownersPerDevice, double slowShare,
                      double load, Impairment impairment, boolean guests, long seed) {
        this(experiment, mode, pasidsPerDevice, ownersPerDevice, slowShare, load, impairment, guests, seed, false);
    }

    /** What happens to party 0. In DEVICE mode party 0 also owns device 0, so it is the reader of that device's ring. */
    public enum Impairment { NONE, SLOW, HANG, CRASH }

    public StudyPoint {
        if (pasidsPerDevice < 1 || ownersPerDevice < 1 || pasidsPerDevice % ownersPerDevice != 0) {
            throw new IllegalArgumentException("pasidsPerDevice must be a positive multiple of ownersPerDevice, were " + pasidsPerDevice + "/" + ownersPerDevice);
        }
        if (!(slowShare >= 0 && slowShare <= 1)) throw new IllegalArgumentException("slowShare must be in [0, 1], was " + slowShare);
        if (!(load > 0 && load <= 2)) throw new IllegalArgumentException("load must be in (0, 2], was " + load);
    }
}
