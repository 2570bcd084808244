package io.faultfabric.engine;

import java.util.ArrayList;
import java.util.List;

/** An {@link IommuOutput} that keeps everything an IOMMU asked for, in order. */
public final class Recorder implements IommuOutput {
    public record Drop(PageRequest request, DropReason reason) {}

    public record Rejection(int rid, int pasid, int prgi, int from, RejectReason reason) {}

    public final List<PageRequestGroup> dispatched = new ArrayList<>();
    public final List<PageRequestGroup> responses = new ArrayList<>();
    public final List<Drop> drops = new ArrayList<>();
    public final List<Rejection> rejections = new ArrayList<>();
    public final List<long[]> drained = new ArrayList<>();

    @Override public void dispatch(PageRequestGroup group) { dispatched.add(group); }

    @Override public void respond(PageRequestGroup group) { responses.add(group); }

    @Override public void dropped(PageRequest request, DropReason reason) { drops.add(new Drop(request, reason)); }

    @Override public void rejected(int rid, int pasid, int prgi, int from, RejectReason reason) {
        rejections.add(new Rejection(rid, pasid, prgi, from, reason));
    }

    @Override public void drained(int rid, int pasid) { drained.add(new long[] {rid, pasid}); }

    public boolean wasDrained(int rid, int pasid) {
        for (long[] d : drained) if (d[0] == rid && d[1] == pasid) return true;
        return false;
    }

    public long dropsFor(DropReason reason) {
        return drops.stream().filter(d -> d.reason() == reason).count();
    }

    public PageRequestGroup lastResponse() {
        return responses.get(responses.size() - 1);
    }

    public PageRequestGroup lastDispatched() {
        return dispatched.get(dispatched.size() - 1);
    }

    public void clear() {
        dispatched.clear();
        responses.clear();
        drops.clear();
        rejections.clear();
        drained.clear();
    }
}
