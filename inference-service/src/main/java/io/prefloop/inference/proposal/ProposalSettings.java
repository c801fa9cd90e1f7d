package io.prefloop.inference.proposal;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.diffusion.SamplerSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** What a proposal request asks for, checked, with the defaults filled in. */
final class ProposalSettings {

    /** A language model's sampling settings. */
    record Text(int maxTokens, double temperature, double topP) {}

    private ProposalSettings() {}

    static PairingPlan pairing(ProposalRequest r) {
        if (r.pairsPerPrompt() != null && r.candidatesPerPrompt() != null) {
            throw ApiException.invalid("candidates_per_prompt", "give pairs_per_prompt or candidates_per_prompt, not both");
        }
        boolean candidatesOnly = Boolean.TRUE.equals(r.candidatesOnly());
        if (r.candidatesPerPrompt() != null && r.candidatesPerPrompt() < 2 && !candidatesOnly) {
            throw ApiException.invalid("candidates_per_prompt", "must be at least 2 to make pairs");
        }
        if (candidatesOnly && r.scoreWith() != null) {
            throw ApiException.invalid("score_with", "scores pairs, and candidates_only makes none");
        }
        boolean allPairs = r.candidatesPerPrompt() != null;
        int perPrompt = allPairs ? r.candidatesPerPrompt() : 2 * (r.pairsPerPrompt() == null ? 1 : r.pairsPerPrompt());
        if (r.prompts().size() * perPrompt > ProposalRequest.MAX_CANDIDATES) {
            throw ApiException.invalid(allPairs ? "candidates_per_prompt" : "pairs_per_prompt",
                    "prompts × candidates per prompt may be at most " + ProposalRequest.MAX_CANDIDATES + " candidates");
        }
        return new PairingPlan(allPairs, perPrompt, candidatesOnly);
    }

    /** The request's seed, or a random one when it gives none (or -1). */
    static long seed(ProposalRequest r) {
        return r.seed() == null || r.seed() == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : r.seed();
    }

    static SamplerSettings image(ProposalRequest r, int trainTimesteps) {
        boolean trajectories = Boolean.TRUE.equals(r.trajectories());
        int steps = r.steps() == null ? 25 : r.steps();
        if (steps > trainTimesteps) {
            throw ApiException.invalid("steps",
                    "must be at most the model's " + trainTimesteps + " training timesteps");
        }
        return new SamplerSettings(steps, SamplerSettings.Kind.parse(r.sampler() == null ? "ddim" : r.sampler()),
                r.eta() == null ? (trajectories ? 1.0 : 0.0) : r.eta(), r.cfgScale() == null ? 3 : r.cfgScale(),
                r.rewardGuidanceScale() == null ? 0 : r.rewardGuidanceScale(), true);
    }

    static Text text(ProposalRequest r) {
        if (Boolean.TRUE.equals(r.trajectories())) {
            throw ApiException.invalid("trajectories", "trajectories are recorded for image models only");
        }
        return new Text(r.maxTokens() == null ? 32 : r.maxTokens(), r.temperature() == null ? 1 : r.temperature(),
                r.topP() == null ? 1 : r.topP());
    }

    /** How an image was sampled, as its candidate's {@code params} record it. */
    static Map<String, Object> samplerParams(SamplerSettings s) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("sampler", s.sampler().name().toLowerCase());
        params.put("steps", s.steps());
        params.put("cfg_scale", s.cfgScale());
        params.put("reward_guidance_scale", s.rewardGuidanceScale());
        params.put("eta", s.eta());
        return params;
    }
}
