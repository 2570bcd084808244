package io.faultfabric.engine;

/** The PCIe Page Group Response code as it goes on the wire. Linux and SMMUv3 codes are mapped explicitly. */
public enum ResponseCode {
    SUCCESS(0x0),
    INVALID(0x1),
    RESPONSE_FAILURE(0xF);

    private final int wire;

    ResponseCode(int wire) { this.wire = wire; }

    public int wireCode() { return wire; }

    public static ResponseCode fromWire(int wire) {
        switch (wire) {
            case 0x0: return SUCCESS;
            case 0x1: return INVALID;
            case 0xF: return RESPONSE_FAILURE;
            default:
                throw new IllegalArgumentException("wire response code must be 0 (Success), 1 (Invalid Request) or 0xF (Response Failure); 0x"
                    + Integer.toHexString(wire) + " is reserved");
        }
    }

    /** Linux {@code enum iommu_page_response_code}: SUCCESS=0, INVALID=1, FAILURE=2. */
    public int linuxCode() {
        switch (this) {
            case SUCCESS: return 0;
            case INVALID: return 1;
            default: return 2;
        }
    }

    public static ResponseCode fromLinux(int code) {
        switch (code) {
            case 0: return SUCCESS;
            case 1: return INVALID;
            case 2: return RESPONSE_FAILURE;
            default: throw new IllegalArgumentException("Linux page response code must be 0 (SUCCESS), 1 (INVALID) or 2 (FAILURE), was " + code);
        }
    }

    /** SMMUv3 CMD_PRI_RESP: DENY=0, FAIL=1, SUCC=2. */
    public int smmuPriResp() {
        switch (this) {
            case SUCCESS: return 2;
            case INVALID: return 0;
            default: return 1;
        }
    }

    public static ResponseCode fromSmmuPriResp(int code) {
        switch (code) {
            case 0: return INVALID;
            case 1: return RESPONSE_FAILURE;
            case 2: return SUCCESS;
            default: throw new IllegalArgumentException("SMMUv3 PRI_RESP must be 0 (DENY), 1 (FAIL) or 2 (SUCC), was " + code);
        }
    }
}
