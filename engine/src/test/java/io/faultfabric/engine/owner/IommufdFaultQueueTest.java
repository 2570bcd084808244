package io.faultfabric.engine.owner;

import io.faultfabric.engine.PageRequestGroup;
import io.faultfabric.engine.ResponseCode;
import io.faultfabric.engine.RoutingTable;
import io.faultfabric.engine.owner.IommufdFaultQueue.PageResponse;
import io.faultfabric.engine.owner.IommufdFaultQueue.PgFault;
import io.faultfabric.engine.owner.IommufdFaultQueue.ReadResult;
import io.faultfabric.engine.owner.IommufdFaultQueue.WriteResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.faultfabric.engine.owner.IommufdFaultQueue.EBADF;
import static io.faultfabric.engine.owner.IommufdFaultQueue.EFAULT;
import static io.faultfabric.engine.owner.IommufdFaultQueue.EINVAL;
import static io.faultfabric.engine.owner.IommufdFaultQueue.ESPIPE;
import static io.faultfabric.engine.owner.IommufdFaultQueue.RECORD_BYTES;
import static io.faultfabric.engine.owner.IommufdFaultQueue.RESP_INVALID;
import static io.faultfabric.engine.owner.IommufdFaultQueue.RESP_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

class IommufdFaultQueueTest {
    private final Groups groups = new Groups();
    private final IommufdFaultQueue fd = new IommufdFaultQueue();
    private final List<String> answered = new ArrayList<>();
    private final IommufdFaultQueue.Responder responder = (g, code) -> answered.add(g.pasid() + "/" + g.prgi() + "=" + code);

    @Test
    void readReturnsWholeGroupsAsFortyByteRecordsSharingOneCookie() {
        PageRequestGroup g = groups.group(Groups.RID_A, 3, 7, 3);
        fd.enqueue(g);

        ReadResult r = fd.read(40 * 64);

        assertThat(r.errno()).isZero();
        assertThat(r.bytes()).isEqualTo(3 * RECORD_BYTES);
        assertThat(r.returnValue()).isEqualTo(120);
        assertThat(r.records()).extracting(PgFault::cookie).containsOnly(1);
        assertThat(r.records()).extracting(PgFault::grpid).containsOnly(7);
        assertThat(r.records()).extracting(PgFault::pasid).containsOnly(3);
        assertThat(r.records()).extracting(PgFault::devId).containsOnly(Groups.RID_A);
        assertThat(r.records()).extracting(PgFault::length).containsOnly(0);
        assertThat(r.records()).allMatch(PgFault::pasidValid);
        assertThat(r.records()).extracting(PgFault::lastPage).containsExactly(false, false, true);
        for (int i = 0; i < 3; i++) {
            assertThat(r.records().get(i).addr()).isEqualTo(g.request(i).address());
            assertThat(r.records().get(i).perm()).isEqualTo(g.request(i).perm());
        }
        assertThat(fd.unreadCount()).isZero();
        assertThat(fd.awaitingCount()).isEqualTo(1);
        assertThat(fd.awaiting(1)).isSameAs(g);
    }

    @Test
    void aWithdrawnGroupLeavesUnreadOrReadAndItsCookieIsFreedWithoutAnAnswer() {
        PageRequestGroup read = groups.group(1, 1);
        PageRequestGroup unread = groups.group(1, 2);
        PageRequestGroup other = groups.group(1, 3);
        fd.enqueue(read);
        fd.read(RECORD_BYTES);
        fd.enqueue(unread);
        fd.enqueue(other);

        assertThat(fd.withdraw(unread)).isTrue();
        assertThat(fd.withdraw(read)).isTrue();
        assertThat(fd.withdraw(read)).as("once only").isFalse();

        assertThat(answered).isEmpty();
        assertThat(fd.unreadCount()).isEqualTo(1);
        assertThat(fd.awaitingCount()).isZero();
        WriteResult late = fd.write(List.of(new PageResponse(1, RESP_SUCCESS)), responder);
        assertThat(late.errno()).as("the withdrawn group's cookie").isEqualTo(EINVAL);
        assertThat(fd.read(RECORD_BYTES).records()).extracting(PgFault::cookie).containsExactly(1); // the lowest free again
        assertThat(fd.awaiting(1)).isSameAs(other);
    }

    @Test
    void aGroupWithoutPasidHasNoPasidValidFlag() {
        fd.enqueue(groups.groupWithoutPasid(2));

        PgFault rec = fd.read(RECORD_BYTES).records().get(0);

        assertThat(rec.pasidValid()).isFalse();
        assertThat(rec.lastPage()).isTrue();
        assertThat(rec.flags()).isEqualTo(IommufdFaultQueue.FLAG_LAST_PAGE);
    }

    @Test
    void readSizeNotAMultipleOfFortyIsRefusedAsTheKernelDoes() {
        fd.enqueue(groups.group(1, 1));

        ReadResult r = fd.read(41);

        assertThat(r.errno()).isEqualTo(ESPIPE);
        assertThat(r.returnValue()).isEqualTo(-ESPIPE);
        assertThat(r.records()).isEmpty();
        assertThat(fd.unreadCount()).isEqualTo(1);
        assertThat(fd.read(-40).errno()).isEqualTo(ESPIPE);
    }

    @Test
    void readOfZeroBytesOrAnEmptyQueueReturnsZero() {
        assertThat(fd.read(400).returnValue()).isZero();
        fd.enqueue(groups.group(1, 1));
        assertThat(fd.read(0).returnValue()).isZero();
        assertThat(fd.unreadCount()).isEqualTo(1);
    }

    @Test
    void whenTheFirstGroupDoesNotFitNothingIsReadAndTheGroupStaysFirst() {
        PageRequestGroup big = groups.group(Groups.RID_A, 1, 1, 4);
        PageRequestGroup small = groups.group(2, 2);
        fd.enqueue(big);
        fd.enqueue(small);

        ReadResult r = fd.read(3 * RECORD_BYTES);

        assertThat(r.returnValue()).isZero();
        assertThat(r.errno()).isZero();
        assertThat(fd.unreadCount()).isEqualTo(2);
        assertThat(fd.awaitingCount()).isZero();
        assertThat(fd.bytesForNextGroup()).isEqualTo(4 * RECORD_BYTES);
        assertThat(fd.read(5 * RECORD_BYTES).records()).extracting(PgFault::grpid).containsExactly(1, 1, 1, 1, 2);
    }

    @Test
    void readStopsBeforeAGroupThatNoLongerFitsAndNeverSplitsIt() {
        fd.enqueue(groups.group(Groups.RID_A, 1, 1, 2));
        fd.enqueue(groups.group(Groups.RID_A, 2, 2, 2));
        fd.enqueue(groups.group(Groups.RID_A, 3, 3, 1));

        ReadResult first = fd.read(3 * RECORD_BYTES);
        ReadResult second = fd.read(3 * RECORD_BYTES);

        assertThat(first.records()).extracting(PgFault::grpid).containsExactly(1, 1);
        assertThat(second.records()).extracting(PgFault::grpid).containsExactly(2, 2, 3);
        assertThat(second.records()).extracting(PgFault::cookie).containsExactly(2, 2, 3);
    }

    @Test
    void cookiesAreTheLowestFreeNumberFromOneAndAreFreedWhenAnswered() {
        for (int p = 0; p < 3; p++) fd.enqueue(groups.group(p, p));
        assertThat(fd.read(3 * RECORD_BYTES).records()).extracting(PgFault::cookie).containsExactly(1, 2, 3);

        assertThat(fd.write(List.of(new PageResponse(2, RESP_SUCCESS)), responder).bytes()).isEqualTo(8);
        fd.enqueue(groups.group(5, 5));
        fd.enqueue(groups.group(6, 6));

        assertThat(fd.read(2 * RECORD_BYTES).records()).extracting(PgFault::cookie).containsExactly(2, 4);
    }

    @Test
    void writeAnswersEachRecordThroughTheResponder() {
        fd.enqueue(groups.group(1, 1));
        fd.enqueue(groups.group(2, 2));
        fd.read(2 * RECORD_BYTES);

        WriteResult w = fd.write(List.of(new PageResponse(1, RESP_SUCCESS), PageResponse.of(2, ResponseCode.INVALID)), responder);

        assertThat(w.bytes()).isEqualTo(16);
        assertThat(w.errno()).isZero();
        assertThat(w.returnValue()).isEqualTo(16);
        assertThat(answered).containsExactly("1/1=0", "2/2=1");
        assertThat(fd.isEmpty()).isTrue();
    }

    @Test
    void failureIsNotInTheUapiAndStopsTheWriteWithEinvalAfterTheBytesConsumed() {
        for (int p = 0; p < 3; p++) fd.enqueue(groups.group(p, p));
        fd.read(3 * RECORD_BYTES);

        WriteResult w = fd.write(List.of(new PageResponse(1, RESP_SUCCESS), PageResponse.of(2, ResponseCode.RESPONSE_FAILURE),
            new PageResponse(3, RESP_SUCCESS)), responder);

        assertThat(w.bytes()).isEqualTo(8);
        assertThat(w.errno()).isEqualTo(EINVAL);
        assertThat(w.returnValue()).isEqualTo(8);
        assertThat(answered).containsExactly("0/0=0");
        assertThat(fd.awaitingCount()).isEqualTo(2);
        assertThat(fd.awaiting(2)).isNotNull();
        assertThat(fd.awaiting(3)).isNotNull();
    }

    @Test
    void aFirstBadRecordMakesTheWholeWriteFailWithEinval() {
        fd.enqueue(groups.group(1, 1));
        fd.read(RECORD_BYTES);

        WriteResult reserved = fd.write(List.of(new PageResponse(1, 0xF)), responder);
        WriteResult unknown = fd.write(List.of(new PageResponse(9, RESP_SUCCESS)), responder);
        WriteResult zero = fd.write(List.of(new PageResponse(0, RESP_SUCCESS)), responder);

        assertThat(reserved.returnValue()).isEqualTo(-EINVAL);
        assertThat(unknown.returnValue()).isEqualTo(-EINVAL);
        assertThat(zero.returnValue()).isEqualTo(-EINVAL);
        assertThat(answered).isEmpty();
        assertThat(fd.awaitingCount()).isEqualTo(1);
    }

    @Test
    void aStaleCookieIsEinvalOnlyUntilItsNumberIsHandedOutAgain() {
        PageRequestGroup first = groups.group(1, 1);
        fd.enqueue(first);
        fd.read(RECORD_BYTES);
        fd.write(List.of(new PageResponse(1, RESP_SUCCESS)), responder);

        assertThat(fd.write(List.of(new PageResponse(1, RESP_INVALID)), responder).errno()).isEqualTo(EINVAL);

        PageRequestGroup second = groups.group(2, 2);
        fd.enqueue(second);
        assertThat(fd.read(RECORD_BYTES).records().get(0).cookie()).isEqualTo(1);
        WriteResult late = fd.write(List.of(new PageResponse(1, RESP_INVALID)), responder);

        assertThat(late.errno()).isZero();
        assertThat(answered).containsExactly("1/1=0", "2/2=1"); // the stale answer lands on the new group: the kernel cannot tell
    }

    @Test
    void writeSizeMustBeWholeRecords() {
        fd.enqueue(groups.group(1, 1));
        fd.read(RECORD_BYTES);
        List<PageResponse> buf = List.of(new PageResponse(1, RESP_SUCCESS));

        assertThat(fd.write(buf, 7, responder).returnValue()).isEqualTo(-ESPIPE);
        assertThat(fd.write(buf, 16, responder)).isEqualTo(new WriteResult(8, EFAULT));
        assertThat(answered).containsExactly("1/1=0");
    }

    @Test
    void closingAnswersNothingAndLaterCallsFailWithEbadf() {
        fd.enqueue(groups.group(1, 1));
        fd.enqueue(groups.group(2, 2));
        fd.read(RECORD_BYTES);

        fd.close();

        assertThat(answered).isEmpty();
        assertThat(fd.read(RECORD_BYTES).returnValue()).isEqualTo(-EBADF);
        assertThat(fd.write(List.of(new PageResponse(1, RESP_SUCCESS)), responder).returnValue()).isEqualTo(-EBADF);
        assertThat(fd.unreadCount()).isEqualTo(1);
        assertThat(fd.awaitingCount()).isEqualTo(1);
    }

    @Test
    void detachAnswersInvalidToEveryGroupOfThatAttachHandleOnly() {
        fd.enqueue(groups.group(Groups.RID_A, 4, 1, 1)); // read, unanswered
        fd.enqueue(groups.group(Groups.RID_A, 5, 2, 1)); // other PASID: stays
        fd.read(2 * RECORD_BYTES);
        fd.enqueue(groups.group(Groups.RID_A, 4, 3, 2)); // unread
        fd.enqueue(groups.group(Groups.RID_B, 4, 4, 1)); // same PASID on another function: another handle

        int n = fd.detach(Groups.RID_A, 4, responder);

        assertThat(n).isEqualTo(2);
        assertThat(answered).containsExactlyInAnyOrder("4/1=1", "4/3=1");
        assertThat(fd.awaitingCount()).isEqualTo(1);
        assertThat(fd.awaiting(1)).isNull();
        assertThat(fd.unreadCount()).isEqualTo(1);
    }

    @Test
    void detachOfTheRidLevelHandleTakesGroupsWithoutPasid() {
        fd.enqueue(groups.groupWithoutPasid(1));
        fd.enqueue(groups.group(0, 2));

        assertThat(fd.detach(Groups.RID_A, RoutingTable.NO_PASID, responder)).isEqualTo(1);
        assertThat(fd.unreadCount()).isEqualTo(1);
    }

    @Test
    void destroyAnswersAllThatIsLeftInvalid() {
        fd.enqueue(groups.group(1, 1));
        fd.enqueue(groups.group(2, 2));
        fd.read(RECORD_BYTES);

        assertThat(fd.destroy(responder)).isEqualTo(2);

        assertThat(answered).containsExactly("2/2=1", "1/1=1");
        assertThat(fd.isEmpty()).isTrue();
    }

    @Test
    void forEachPendingVisitsUnreadThenReadGroupsWithoutChangingThem() {
        PageRequestGroup a = groups.group(1, 1);
        PageRequestGroup b = groups.group(2, 2);
        fd.enqueue(a);
        fd.enqueue(b);
        fd.read(RECORD_BYTES);
        List<PageRequestGroup> seen = new ArrayList<>();

        fd.forEachPending(seen::add);

        assertThat(seen).containsExactly(b, a);
        assertThat(fd.unreadCount()).isEqualTo(1);
        assertThat(fd.awaitingCount()).isEqualTo(1);
    }
}
