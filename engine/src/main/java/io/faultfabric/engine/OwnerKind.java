package io.faultfabric.engine;

import java.util.EnumSet;
import java.util.Set;

/** The kinds of IOASID owner, with the response codes each may send. */
public enum OwnerKind {
    /** A host process doing SVA: the kernel's SVA handler answers Success or Invalid only. */
    HOST_SVA(EnumSet.of(ResponseCode.SUCCESS, ResponseCode.INVALID)),
    /** An iommufd user-space driver: fault fd records and cookies; Success or Invalid only (Failure left the uAPI). */
    USER_DRIVER(EnumSet.of(ResponseCode.SUCCESS, ResponseCode.INVALID)),
    /** The owner of a vDPA device's address space, through iommufd as well. */
    VDPA(EnumSet.of(ResponseCode.SUCCESS, ResponseCode.INVALID)),
    /** A guest behind a vIOMMU; its VMM writes the guest's answer to the host fault fd. */
    GUEST(EnumSet.of(ResponseCode.SUCCESS, ResponseCode.INVALID));

    private final Set<ResponseCode> allowed;

    OwnerKind(Set<ResponseCode> allowed) { this.allowed = allowed; }

    public boolean mayAnswer(ResponseCode code) { return allowed.contains(code); }

    public Set<ResponseCode> allowedCodes() { return EnumSet.copyOf(allowed); }
}
