package io.prefloop.feedback.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.FeedbackProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

class TrainerClientTest {

    @Test
    void withoutATrainerUrlTheDashboardIsToldThereIsNoneAndNoCampaigns() {
        FeedbackProperties properties = new FeedbackProperties("http://localhost:8081", Duration.ofMinutes(10), 2,
                DataSize.ofMegabytes(4), 2048, 4_194_304, 4000, 100_000, "");
        TrainerClient client = new TrainerClient(properties, new AuthProperties("", "", Duration.ofSeconds(30)),
                JsonMapper.builder().build());
        TrainerModels models = client.models();
        assertThat(models.configured()).isFalse();
        assertThat(models.models()).isEmpty();
        TrainerCampaigns campaigns = client.campaigns(java.util.UUID.randomUUID());
        assertThat(campaigns.configured()).isFalse();
        assertThat(campaigns.campaigns()).isEmpty();
        assertThatThrownBy(() -> client.overview(java.util.UUID.randomUUID()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(e.title()).isEqualTo("Trainer not configured");
                });
    }
}
