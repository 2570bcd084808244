package io.faultfabric.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseCodeTest {

    @Test
    void wireCodesArePcieValues() {
        assertThat(ResponseCode.SUCCESS.wireCode()).isEqualTo(0x0);
        assertThat(ResponseCode.INVALID.wireCode()).isEqualTo(0x1);
        assertThat(ResponseCode.RESPONSE_FAILURE.wireCode()).isEqualTo(0xF);
        assertThat(ResponseCode.fromWire(0x0)).isEqualTo(ResponseCode.SUCCESS);
        assertThat(ResponseCode.fromWire(0x1)).isEqualTo(ResponseCode.INVALID);
        assertThat(ResponseCode.fromWire(0xF)).isEqualTo(ResponseCode.RESPONSE_FAILURE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xA, 0xB, 0xC, 0xD, 0xE})
    void reservedWireCodesAreRefused(int wire) {
        assertThatThrownBy(() -> ResponseCode.fromWire(wire))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("0x" + Integer.toHexString(wire) + " is reserved");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x10, 0xFF})
    void wireCodesOutsideFourBitsAreRefused(int wire) {
        assertThatThrownBy(() -> ResponseCode.fromWire(wire)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linuxCodesAreSuccessInvalidFailure() {
        assertThat(ResponseCode.SUCCESS.linuxCode()).isEqualTo(0);
        assertThat(ResponseCode.INVALID.linuxCode()).isEqualTo(1);
        assertThat(ResponseCode.RESPONSE_FAILURE.linuxCode()).isEqualTo(2);
        assertThat(ResponseCode.fromLinux(0)).isEqualTo(ResponseCode.SUCCESS);
        assertThat(ResponseCode.fromLinux(1)).isEqualTo(ResponseCode.INVALID);
        assertThat(ResponseCode.fromLinux(2)).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThatThrownBy(() -> ResponseCode.fromLinux(3)).hasMessageContaining("Linux page response code");
        assertThatThrownBy(() -> ResponseCode.fromLinux(0xF)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResponseCode.fromLinux(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void smmuPriRespIsDenyFailSucc() {
        assertThat(ResponseCode.INVALID.smmuPriResp()).isEqualTo(0);          // DENY
        assertThat(ResponseCode.RESPONSE_FAILURE.smmuPriResp()).isEqualTo(1); // FAIL
        assertThat(ResponseCode.SUCCESS.smmuPriResp()).isEqualTo(2);          // SUCC
        assertThat(ResponseCode.fromSmmuPriResp(0)).isEqualTo(ResponseCode.INVALID);
        assertThat(ResponseCode.fromSmmuPriResp(1)).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThat(ResponseCode.fromSmmuPriResp(2)).isEqualTo(ResponseCode.SUCCESS);
        assertThatThrownBy(() -> ResponseCode.fromSmmuPriResp(3)).hasMessageContaining("PRI_RESP");
        assertThatThrownBy(() -> ResponseCode.fromSmmuPriResp(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(ResponseCode.class)
    void everyMappingRoundTrips(ResponseCode c) {
        assertThat(ResponseCode.fromWire(c.wireCode())).isEqualTo(c);
        assertThat(ResponseCode.fromLinux(c.linuxCode())).isEqualTo(c);
        assertThat(ResponseCode.fromSmmuPriResp(c.smmuPriResp())).isEqualTo(c);
    }

    @Test
    void softwareCodesDifferFromWireCodes() {
        // the reason to keep them apart: the same number means different things
        assertThat(ResponseCode.fromLinux(2)).isNotEqualTo(ResponseCode.fromSmmuPriResp(2));
        assertThat(ResponseCode.fromSmmuPriResp(0)).isNotEqualTo(ResponseCode.fromWire(0));
    }

    @Test
    void automaticAnswersSendTheCodeTheRealSystemSends() {
        assertThat(AutoReason.NO_HANDLER.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(AutoReason.QUEUE_OVERFLOW.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(AutoReason.MALFORMED.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(AutoReason.DETACHED.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(AutoReason.REPLACED.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(AutoReason.DEVICE_RESET.code()).isEqualTo(ResponseCode.INVALID);
        assertThat(AutoReason.HANDLER_FAILED.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThat(AutoReason.OWNER_QUEUE_FULL.code()).isEqualTo(ResponseCode.RESPONSE_FAILURE);
        assertThat(AutoReason.VIRTUAL_QUEUE_FULL.code()).isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void iommufdOwnersMayNotSendFailure() {
        for (OwnerKind k : OwnerKind.values()) {
            assertThat(k.mayAnswer(ResponseCode.SUCCESS)).isTrue();
            assertThat(k.mayAnswer(ResponseCode.INVALID)).isTrue();
            assertThat(k.mayAnswer(ResponseCode.RESPONSE_FAILURE)).as(k.name()).isFalse();
            assertThat(k.allowedCodes()).containsExactlyInAnyOrder(ResponseCode.SUCCESS, ResponseCode.INVALID);
        }
    }

    @Test
    void queueDepthLimitsPerKind() {
        assertThat(IommuKind.VTD.defaultQueueDepth()).isEqualTo(2048);
        assertThat(IommuKind.SMMUV3.maxQueueDepth()).isEqualTo(1 << 19);
        assertThatThrownBy(() -> IommuKind.SMMUV3.checkDepth((1 << 19) + 1, "queueDepth")).hasMessageStartingWith("queueDepth must be 1..524288 for SMMUV3");
        assertThatThrownBy(() -> IommuKind.VTD.checkDepth(0, "queueDepth")).hasMessageStartingWith("queueDepth");
        assertThat(IommuKind.RISCV.checkDepth(1, "queueDepth")).isEqualTo(1);
    }
}
