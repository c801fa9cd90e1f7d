package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Projects and labelers are listed in creation order; the project list pages with a cursor. */
class ProjectListTest extends FeedbackIntegrationTest {

    @Test
    void projectsPageInCreationOrder() {
        List<String> created = List.of(createProject("text", 3, false), createProject("image", 1, true),
                createProject("text", 1, true));
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = api.get("/v1/projects?limit=2" + (after == null ? "" : "&after=" + after), ADMIN).json();
            page.get("data").forEach(p -> seen.add(p.get("id").asString()));
            after = page.get("has_more").asBoolean() ? page.get("next_cursor").asString() : null;
        } while (after != null);
        assertThat(seen).containsSubsequence(created);

        JsonNode first = api.get("/v1/projects/" + created.get(0), ADMIN).json();
        assertThat(first.get("modality").asString()).isEqualTo("text");
        assertThat(first.get("judgments_per_pair").asInt()).isEqualTo(3);
        assertThat(first.get("allow_ties").asBoolean()).isFalse();
        assertThat(first.hasNonNull("created_at")).isTrue();
    }

    @Test
    void labelersAreListedWithoutTheirKeys() {
        createLabeler("listed labeler");
        ApiClient.Response list = api.get("/v1/labelers", ADMIN);
        assertThat(list.status()).isEqualTo(200);
        JsonNode last = list.json().get(list.json().size() - 1);
        assertThat(last.get("name").asString()).isEqualTo("listed labeler");
        assertThat(last.get("role").asString()).isEqualTo("labeler");
        assertThat(last.hasNonNull("key")).isFalse();
    }
}
