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
    private static final int PAIRS_PER_REQUEST = 32;
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
            // one forward pass per prompt for up to 32 of its pairs (a reward request holds 64 candidates)
            Map<String, List<JsonNode>> byPrompt = new LinkedHashMap<>();
            for (JsonNode pair : page.path("data")) {
                byPrompt.computeIfAbsent(pair.path("prompt").asString(), p -> new ArrayList<>()).add(pair);
                after = UUID.fromString(pair.path("id").asString());
            }
            for (Map.Entry<String, List<JsonNode>> prompt : byPrompt.entrySet()) {
                List<JsonNode> pairs = prompt.getValue();
                for (int from = 0; from < pairs.size(); from += PAIRS_PER_REQUEST) {
                    List<JsonNode> chunk = pairs.subList(from, Math.min(pairs.size(), from + PAIRS_PER_REQUEST));
                    List<RewardRequest.Candidate> candidates = new ArrayList<>();
                    for (JsonNode pair : chunk) {
                        candidates.add(candidate(pair.path("a")));
                        candidates.add(candidate(pair.path("b")));
                    }
                    RewardScoring.Result result = score(new RewardRequest(rewardModel, prompt.getKey(), candidates));
                    checkpoint = result.checkpoint().toString();
                    float[] r = result.rewards();
                    for (int i = 0; i < chunk.size(); i++) {
                        Map<String, Object> score = new LinkedHashMap<>();
                        score.put("pair", chunk.get(i).path("id").asString());
                        score.put("p_a", 1 / (1 + Math.exp(-(r[2 * i] - r[2 * i + 1]))));
                        scores.add(score);
                    }
                }
            }
            if (!scores.isEmpty()) {
                scored += feedback.scorePairs(project, checkpoint, scores);
            }
            more = page.path("has_more").asBoolean();
        }
        return new Result(checkpoint, scored);
    }

    /** A reward request's refusal (not a reward model, a wrong kind of candidate) names {@code reward_model}. */
    private RewardScoring.Result score(RewardRequest request) {
        try {
            return scoring.score(request);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.BAD_REQUEST) {
                throw ApiException.invalid("reward_model", e.getMessage());
            }
            throw e;
        }
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
