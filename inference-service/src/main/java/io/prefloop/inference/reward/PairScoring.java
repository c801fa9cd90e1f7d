package io.prefloop.inference.reward;

import io.prefloop.common.web.ApiException;
import io.prefloop.inference.proposal.FeedbackClient;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Scores a feedback project's open pairs again with a reward model's current checkpoint, so that
 * uncertainty selection serves the pairs the newest reward model is least sure about. Each pair's
 * P(a ≻ b) = σ(r_a − r_b) under the Bradley–Terry model the reward model was trained as.
 */
@Component
public class PairScoring {

    public record Result(String checkpoint, int scored) {}

    private static final int PAGE = 200;
    private static final Pattern IMAGE_URL = Pattern.compile("/v1/images/([0-9a-f]{64})\\.png$");

    private final FeedbackClient feedback;
    private final RewardScoring scoring;

    PairScoring(FeedbackClient feedback, RewardScoring scoring) {
        this.feedback = feedback;
        this.scoring = scoring;
    }

    public Result scoreOpenPairs(UUID project, String rewardModel) {
        String checkpoint = null;
        int scored = 0;
        UUID after = null;
        boolean more = true;
        while (more) {
            JsonNode page = feedback.openPairs(project, after, PAGE);
            List<Map<String, Object>> scores = new ArrayList<>();
            for (JsonNode pair : page.path("data")) {
                RewardScoring.Result result;
                try {
                    result = scoring.score(new RewardRequest(rewardModel, pair.path("prompt").asString(),
                            List.of(candidate(pair.path("a")), candidate(pair.path("b")))));
                } catch (ApiException e) {
                    if (e.status() == HttpStatus.BAD_REQUEST) {
                        throw ApiException.invalid("reward_model", e.getMessage());
                    }
                    throw e;
                }
                checkpoint = result.checkpoint().toString();
                float[] r = result.rewards();
                Map<String, Object> score = new LinkedHashMap<>();
                score.put("pair", pair.path("id").asString());
                score.put("p_a", 1 / (1 + Math.exp(-(r[0] - r[1]))));
                scores.add(score);
                after = UUID.fromString(pair.path("id").asString());
            }
            if (!scores.isEmpty()) {
                scored += feedback.scorePairs(project, checkpoint, scores);
            }
            more = page.path("has_more").asBoolean();
        }
        return new Result(checkpoint, scored);
    }

    private RewardRequest.Candidate candidate(JsonNode side) {
        JsonNode text = side.path("text");
        if (text.isString()) {
            return new RewardRequest.Candidate(text.asString(), null);
        }
        Matcher m = IMAGE_URL.matcher(side.path("image_url").asString(""));
        if (!m.find()) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service error",
                    "A pair's candidate has neither text nor an image URL: " + side);
        }
        return new RewardRequest.Candidate(null, Base64.getEncoder().encodeToString(feedback.image(m.group(1))));
    }
}
