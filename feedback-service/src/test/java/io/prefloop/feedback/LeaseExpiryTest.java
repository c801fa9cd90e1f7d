package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A lease that runs out gives its slot to the next labeler; the late judgment is then refused. */
class LeaseExpiryTest extends FeedbackIntegrationTest {

    @Test
    void anExpiredLeaseFreesTheSlotAndALateJudgmentIs409() {
        String project = textProjectWithPairs(1, 1);
        String ann = createLabeler("slow ann");
        String bob = createLabeler("quick bob");
        JsonNode annsTask = nextTask(project, ann);
        assertThat(nextTask(project, bob)).as("the only slot is ann's").isNull();

        expire(annsTask);
        JsonNode bobsTask = nextTask(project, bob);
        assertThat(bobsTask).isNotNull();
        assertThat(judge(bobsTask, bob, "b").status()).isEqualTo(201);

        ApiClient.Response late = judge(annsTask, ann, "a");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.contentType()).startsWith("application/problem+json");
        Integer votes = jdbc.sql("select votes_a + votes_b from pairs where id = ?::uuid")
                .param(annsTask.get("pair_id").asString()).query(Integer.class).single();
        assertThat(votes).isEqualTo(1);
    }

    @Test
    void aLateJudgmentIsStillTakenWhileTheSlotIsFree() {
        String project = textProjectWithPairs(1, 1);
        String ann = createLabeler("slow but lucky ann");
        JsonNode task = nextTask(project, ann);
        expire(task);
        assertThat(judge(task, ann, "a").status()).isEqualTo(201);
    }

    @Test
    void aLabelerHoldsAtMostTwoLeasesSoThePageCanPreloadWithoutHoarding() {
        String project = textProjectWithPairs(4, 1);
        String ann = createLabeler("preloading ann");
        JsonNode first = nextTask(project, ann);
        JsonNode second = nextTask(project, ann);
        JsonNode third = nextTask(project, ann);
        assertThat(second.get("pair_id")).isNotEqualTo(first.get("pair_id"));
        assertThat(third.get("pair_id")).as("at the limit, the oldest lease comes back").isEqualTo(first.get("pair_id"));
        Integer leases = jdbc.sql("select count(*) from tasks where project_id = ?::uuid").param(project)
                .query(Integer.class).single();
        assertThat(leases).isEqualTo(2);
    }

    private void expire(JsonNode task) {
        jdbc.sql("update tasks set expires_at = now() - interval '1 second' where id = ?::uuid")
                .param(task.get("task_id").asString()).update();
    }
}
