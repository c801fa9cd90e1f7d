package io.prefloop.trainer.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** Reads the comparisons feed from the real feedback-service, started from its jar. */
class FeedbackClientTest {

    private static final String ADMIN = "feed-admin";
    private static final String SERVICE = "feed-service";

    @TempDir
    Path dir;

    @Test
    void readsEveryResolvedComparisonOnceWithACursor() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess feedback = ServiceProcess.startJar("feedback-service", dir, port,
                Map.of("PREFLOOP_ADMIN_KEY", ADMIN, "PREFLOOP_SERVICE_KEY", SERVICE))) {
            ApiClient api = feedback.api();
            String project = api.post("/v1/projects", ADMIN, "{\"name\":\"feed\",\"modality\":\"text\"}").json()
                    .get("id").asString();
            for (int i = 0; i < 5; i++) {
                for (String reply : List.of("Dear sir, hello.", "yo")) {
                    api.post("/v1/projects/" + project + "/candidates", SERVICE,
                            "{\"prompt\":\"greet " + i + "\",\"text\":\"" + reply + "\",\"model\":\"replies-base\"}");
                }
            }
            api.post("/v1/projects/" + project + "/pairs/bulk", SERVICE, "{}");
            String labeler = api.post("/v1/labelers", ADMIN, "{\"name\":\"ann\"}").json().get("key").asString();
            for (String choice : List.of("a", "b", "a", "tie", "a")) {
                JsonNode task = api.get("/v1/projects/" + project + "/tasks/next", labeler).json();
                api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                        "{\"choice\":\"" + choice + "\"}");
            }

            FeedbackClient client = new FeedbackClient(
                    new FeedbackProperties("http://localhost:" + port, Duration.ofSeconds(30)),
                    new AuthProperties("", SERVICE, Duration.ofSeconds(30)),
                    JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build());
            List<Comparison> all = new ArrayList<>();
            long position = 0;
            FeedbackClient.Page page;
            do {
                page = client.comparisons(UUID.fromString(project), position, 2);
                all.addAll(page.comparisons());
                position = page.lastPosition();
            } while (page.hasMore());

            assertThat(all).hasSize(5);
            assertThat(all).extracting(Comparison::position).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(all.stream().filter(Comparison::decisive)).hasSize(4);
            Comparison first = all.stream().filter(Comparison::decisive).findFirst().orElseThrow();
            assertThat(first.chosen().text()).isNotEqualTo(first.rejected().text());
            assertThat(first.chosen().model()).isEqualTo("replies-base");
            assertThat(client.comparisons(UUID.fromString(project), 5, 10).comparisons()).isEmpty();

            FeedbackClient wrongKey = new FeedbackClient(
                    new FeedbackProperties("http://localhost:" + port, Duration.ofSeconds(30)),
                    new AuthProperties("", "not-the-key", Duration.ofSeconds(30)), JsonMapper.builder().build());
            assertThatThrownBy(() -> wrongKey.comparisons(UUID.fromString(project), 0, 10))
                    .isInstanceOf(FeedbackUnavailableException.class).hasMessageContaining("401");
        }
    }
}
