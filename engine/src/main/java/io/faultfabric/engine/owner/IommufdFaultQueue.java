package io.faultfabric.engine.owner;

import io.faultfabric.engine.PageRequest;
import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingTable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The fault fd of one iommufd fault object ({@code IOMMU_FAULT_QUEUE_ALLOC}), with the rules of
 * Linux's {@code iommufd_fault_fops_read}/{@code _write}: groups are queued whole; {@link #read}
 * hands out whole groups as 40-byte {@code iommu_hwpt_pgfault} records and gives each group a
 * cookie (the lowest free number from 1, the same in all its records); {@link #write} takes 8-byte
 * {@code {cookie, code}} records, Success or Invalid only, and stops at the first bad one. The kernel
 * sets no depth limit: whoever owns the fd bounds it. Records are small values, not byte buffers,
 * but sizes keep the kernel's byte arithmetic. Errors are returned as values, never thrown.
 *
 * <p>Single-threaded: one owner reads and writes it.
 */
public final class IommufdFaultQueue {
    /** {@code sizeof(struct iommu_hwpt_pgfault)}. */
    public static final int RECORD_BYTES = 40;
    /** {@code sizeof(struct iommu_hwpt_page_response)}. */
    public static final int RESPONSE_BYTES = 8;

    public static final int EBADF = 9;
    public static final int EFAULT = 14;
    public static final int EINVAL = 22;
    public static final int ESPIPE = 29;

    /** {@code IOMMU_PGFAULT_FLAGS_PASID_VALID}. */
    public static final int FLAG_PASID_VALID = 1;
    /** {@code IOMMU_PGFAULT_FLAGS_LAST_PAGE}. */
    public static final int FLAG_LAST_PAGE = 1 << 1;

    /** {@code IOMMUFD_PAGE_RESP_SUCCESS}: the only codes the uAPI accepts are this and Invalid. */
    public static final int RESP_SUCCESS = 0;
    /** {@code IOMMUFD_PAGE_RESP_INVALID}. */
    public static final int RESP_INVALID = 1;

    /**
     * One {@code struct iommu_hwpt_pgfault} (flags, dev_id, pasid, grpid, perm, reserved, addr, length,
     * cookie). The simulator numbers iommufd device objects by RID, so {@code devId} is the function's RID.
     */
    public record PgFault(int flags, int devId, int pasid, int grpid, int perm, long addr, int length, int cookie) {
        public boolean pasidValid() { return (flags & FLAG_PASID_VALID) != 0; }
        public boolean lastPage() { return (flags & FLAG_LAST_PAGE) != 0; }
    }

    /** One {@code struct iommu_hwpt_page_response}: the cookie of a group read, and an iommufd response code. */
    public record PageResponse(int cookie, int code) {
        /** The record user space writes for a code; Failure becomes Linux's 2, which the uAPI refuses. */
        public static PageResponse of(int cookie, ResponseCode code) {
            return new PageResponse(cookie, code.linuxCode());
        }
    }

    /**
     * What {@code read(2)} returned: the records copied out and, when none were, the error (0 for none).
     * Like the syscall, an error is reported only when nothing was read.
     */
    public record ReadResult(List<PgFault> records, int errno) {
        public int bytes() { return records.size() * RECORD_BYTES; }

        /** The syscall's return value: bytes read, or {@code -errno}. */
        public long returnValue() { return errno != 0 ? -errno : bytes(); }
    }

    /**
     * What {@code write(2)} returned: bytes consumed (whole records, each answered) and the error that
     * stopped it, if any. The syscall reports the error only when it consumed nothing.
     */
    public record WriteResult(int bytes, int errno) {
        /** The syscall's return value: {@code bytes} when any were consumed, else {@code -errno} (or 0). */
        public long returnValue() { return bytes == 0 && errno != 0 ? -errno : bytes; }

        public boolean stoppedEarly() { return errno != 0; }
    }

    /** What the kernel does for an accepted record or an automatic answer: {@code iopf_group_response(group, code)}. */
    @FunctionalInterface
    public interface Responder {
        void respond(PageRequestGroup group, int code);
    }

    private ArrayDeque<PageRequestGroup> deliver;
    private PageRequestGroup[] response;
    private int awaiting;
    private int lowestFree = 1;
    private boolean closed;

    /** A group the IOMMU handed over: queued whole, unread. Accepted even after close (nobody will read it). */
    public void enqueue(PageRequestGroup group) {
        java.util.Objects.requireNonNull(group, "group");
        if (deliver == null) deliver = new ArrayDeque<>(4);
        deliver.addLast(group);
    }

    /**
     * {@code read(fd, buf, count)}: whole groups, in arrival order, while they fit. A count that is not a
     * multiple of 40 is {@code ESPIPE} (as the kernel returns); if the first group does not fit, nothing is read.
     */
    public ReadResult read(int count) {
        if (closed) return new ReadResult(List.of(), EBADF);
        if (count < 0 || count % RECORD_BYTES != 0) return new ReadResult(List.of(), ESPIPE);
        if (deliver == null || deliver.isEmpty()) return new ReadResult(List.of(), 0);
        int fit = 0;
        int groups = 0;
        for (PageRequestGroup g : deliver) {
            int n = g.requestCount();
            if (fit + n > count / RECORD_BYTES) break;
            fit += n;
            groups++;
        }
        if (groups == 0) return new ReadResult(List.of(), 0);
        PgFault[] out = new PgFault[fit];
        int k = 0;
        for (int i = 0; i < groups; i++) {
            PageRequestGroup g = deliver.pollFirst();
            int cookie = allocateCookie(g);
            for (int r = 0; r < g.requestCount(); r++) out[k++] = compose(g, g.request(r), cookie);
        }
        return new ReadResult(List.of(out), 0);
    }

    /** grpid is the group's PRGI, or for a stall (SMMUv3 stall model) its STAG, as Linux reports it. */
    private static PgFault compose(PageRequestGroup g, PageRequest r, int cookie) {
        int flags = (r.pasidPresent() ? FLAG_PASID_VALID : 0) | (r.last() ? FLAG_LAST_PAGE : 0);
        return new PgFault(flags, r.rid(), r.pasid(), g.prgi(), r.perm(), r.address(), 0, cookie);
    }

    /** {@code write(fd, buf, count)} of every record of {@code responses}. */
    public WriteResult write(List<PageResponse> responses, Responder responder) {
        return write(responses, responses.size() * RESPONSE_BYTES, responder);
    }

    /**
     * {@code write(fd, buf, count)}: {@code count} bytes of {@code buf}. A count that is not a multiple of 8
     * is {@code ESPIPE}; a count beyond the buffer faults ({@code EFAULT}) at the first missing record. Each
     * record must carry Success or Invalid and a cookie handed out and not yet answered, else {@code EINVAL}
     * and the write stops there; records before it are answered through {@code responder}.
     */
    public WriteResult write(List<PageResponse> buf, int count, Responder responder) {
        if (closed) return new WriteResult(0, EBADF);
        if (count < 0 || count % RESPONSE_BYTES != 0) return new WriteResult(0, ESPIPE);
        int done = 0;
        for (int i = 0; done < count; i++) {
            if (i >= buf.size()) return new WriteResult(done, EFAULT);
            PageResponse rec = buf.get(i);
            if (rec.code() != RESP_SUCCESS && rec.code() != RESP_INVALID) return new WriteResult(done, EINVAL);
            PageRequestGroup g = eraseCookie(rec.cookie());
            if (g == null) return new WriteResult(done, EINVAL);
            responder.respond(g, rec.code());
            done += RESPONSE_BYTES;
        }
        return new WriteResult(done, 0);
    }

    /** The group read under {@code cookie} and not yet answered, or null: the kernel's response table. */
    public PageRequestGroup awaiting(int cookie) {
        return cookie > 0 && response != null && cookie < response.length ? response[cookie] : null;
    }

    /**
     * Detach of the attach handle at (RID, PASID) ({@link RoutingTable#NO_PASID} for the RID itself): every
     * group of that handle, unread or read and unanswered, is answered Invalid; its cookies are freed.
     */
    public int detach(int rid, int pasid, Responder responder) {
        int n = 0;
        if (deliver != null) {
            for (Iterator<PageRequestGroup> it = deliver.iterator(); it.hasNext(); ) {
                PageRequestGroup g = it.next();
                if (handleOf(g, rid, pasid)) {
                    it.remove();
                    responder.respond(g, RESP_INVALID);
                    n++;
                }
            }
        }
        if (response != null) {
            for (int c = 1; c < response.length; c++) {
                PageRequestGroup g = response[c];
                if (g != null && handleOf(g, rid, pasid)) {
                    eraseCookie(c);
                    responder.respond(g, RESP_INVALID);
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean handleOf(PageRequestGroup g, int rid, int pasid) {
        return g.rid() == rid && (g.pasidPresent() ? g.pasid() : RoutingTable.NO_PASID) == pasid;
    }

    /**
     * The group was answered without this fd (the fabric's response timeout, a device reset): it leaves the queue,
     * unread or read, and its cookie is freed, with no answer through here. Returns whether it was here.
     */
    public boolean withdraw(PageRequestGroup group) {
        if (deliver != null) {
            for (Iterator<PageRequestGroup> it = deliver.iterator(); it.hasNext(); ) {
                if (it.next() == group) {
                    it.remove();
                    return true;
                }
            }
        }
        if (response != null) {
            for (int c = 1; c < response.length; c++) {
                if (response[c] == group) {
                    eraseCookie(c);
                    return true;
                }
            }
        }
        return false;
    }

    /** Closing the fd answers nothing: groups stay pending, and later reads and writes fail with {@code EBADF}. */
    public void close() {
        closed = true;
    }

    public boolean isClosed() { return closed; }

    /** Destroying the fault object answers Invalid to all that is left, unread and read alike. */
    public int destroy(Responder responder) {
        List<PageRequestGroup> left = new ArrayList<>(unreadCount() + awaiting);
        forEachPending(left::add);
        if (deliver != null) deliver.clear();
        if (response != null) Arrays.fill(response, null);
        awaiting = 0;
        lowestFree = 1;
        for (PageRequestGroup g : left) responder.respond(g, RESP_INVALID);
        return left.size();
    }

    /** Every group still pending here, unread first, then read and unanswered by cookie; nothing changes. */
    public void forEachPending(Consumer<PageRequestGroup> visitor) {
        if (deliver != null) for (PageRequestGroup g : deliver) visitor.accept(g);
        if (response != null) for (int c = 1; c < response.length; c++) if (response[c] != null) visitor.accept(response[c]);
    }

    /** Groups queued and not yet read. */
    public int unreadCount() { return deliver == null ? 0 : deliver.size(); }

    /** Groups read whose cookie is not yet answered. */
    public int awaitingCount() { return awaiting; }

    public boolean isEmpty() { return unreadCount() == 0 && awaiting == 0; }

    /** Bytes a read needs to take the first unread group: 0 when there is none. */
    public int bytesForNextGroup() {
        return deliver == null || deliver.isEmpty() ? 0 : deliver.peekFirst().requestCount() * RECORD_BYTES;
    }

    private int allocateCookie(PageRequestGroup g) {
        if (response == null) response = new PageRequestGroup[8];
        int c = lowestFree;
        while (c < response.length && response[c] != null) c++;
        if (c >= response.length) response = Arrays.copyOf(response, Math.max(response.length * 2, c + 1));
        response[c] = g;
        awaiting++;
        lowestFree = c + 1; // every number below it is handed out: xa_alloc from 1 finds the lowest free
        return c;
    }

    private PageRequestGroup eraseCookie(int cookie) {
        PageRequestGroup g = awaiting(cookie);
        if (g == null) return null;
        response[cookie] = null;
        awaiting--;
        if (cookie < lowestFree) lowestFree = cookie;
        if (awaiting == 0 && response.length > 64) response = null; // an idle fd gives its table back
        return g;
    }
}
