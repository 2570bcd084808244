package io.faultfabric.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSettingsTest {

    private static Config with(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    }

    private static ClusterSettings read(String overrides) {
        Config c = with(overrides);
        return ClusterSettings.fromConfig(c, FabricSettings.fromConfig(c));
    }

    @Test
    void theDefaultsAreValidAndReSendWellBeforeTheResponseTimeout() {
        ClusterSettings s = read("");
        FabricSettings f = FabricSettings.fromConfig(ConfigFactory.load());
        assertThat(s.resendInterval()).isLessThan(f.responseTimeout());
        assertThat(s.maxResends()).isPositive();
    }

    @Test
    void aReSendIntervalNotBelowTheResponseTimeoutIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> read("faultfabric.response-timeout = 300ms\nfaultfabric.cluster.resend-interval = 300ms"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("faultfabric.cluster.resend-interval = PT0.3S")
            .hasMessageContaining("faultfabric.response-timeout");
        assertThat(read("faultfabric.response-timeout = 300ms\nfaultfabric.cluster.resend-interval = 299ms").resendInterval())
            .isEqualTo(Duration.ofMillis(299));
    }

    @Test
    void badValuesAreRefusedWithTheirKeyAndWhatIsAllowed() {
        assertThatThrownBy(() -> read("faultfabric.cluster.resend-interval = 0s"))
            .hasMessageContaining("faultfabric.cluster.resend-interval must be a positive duration");
        assertThatThrownBy(() -> read("faultfabric.cluster.resend-interval = soon"))
            .hasMessageContaining("faultfabric.cluster.resend-interval = \"soon\" is not a duration");
        assertThatThrownBy(() -> read("faultfabric.cluster.max-resends = -1"))
            .hasMessageContaining("faultfabric.cluster.max-resends must be 0..100, was -1");
        assertThatThrownBy(() -> read("faultfabric.cluster.max-resends = many"))
            .hasMessageContaining("faultfabric.cluster.max-resends = \"many\" is not a whole number; expected 0..100");
        assertThat(read("faultfabric.cluster.max-resends = 0").maxResends()).isZero();
    }
}
