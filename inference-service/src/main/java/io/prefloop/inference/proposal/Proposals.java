package io.prefloop.inference.proposal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.inference.image.ImageGenerator;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.reward.RewardRequest;
import io.prefloop.inference.reward.RewardScoring;
import io.prefloop.inference.serving.CheckpointLeases;
import io.prefloop.inference.serving.Lease;
import io.prefloop.inference.serving.LoadedModel;
import io.prefloop.inference.serving.Networks;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.nn.NativeHeap;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Closes the loop: samples candidates from a model's current checkpoint and registers them,
 * paired, in a feedback project. Every candidate of one proposal comes from the same checkpoint
 * (one lease); its {@code params} say how it was made, so it can be made again.
 */
@Component
public class Proposals {

    public record Candidate(UUID id, String prompt, long seed, Map<String, Object> trajectory) {}

    public record Pair(UUID id, UUID candidateA, UUID candidateB) {}

    public record Result(UUID proposal, UUID project, String model, String checkpoint, long seed,
            List<Candidate> candidates, List<Pair> pairs) {}

    private record Sample(String prompt, long seed, String imageBase64, String text, Map<String, Object> params) {}

    private final FeedbackClient feedback;
    private final TrajectoryFiles trajectoryFiles;
    private final RewardScoring scoring;
    private final CheckpointLeases leases;
    private final int chunk;

    Proposals(FeedbackClient feedback, DirectoryCheckpointStore store,
            InferenceProperties properties, RewardScoring scoring, CheckpointLeases leases) {
        this.leases = leases;
        this.scoring = scoring;
        this.feedback = feedback;
        this.trajectoryFiles = new TrajectoryFiles(store.root());
        this.chunk = Math.max(1, properties.batching().maxBatch());
    }

    public Result propose(UUID project, ProposalRequest r) {
        PairingPlan plan = ProposalSettings.pairing(r);
        long seed = ProposalSettings.seed(r);
        UUID proposal = r.proposal() != null ? r.proposal() : UUID.randomUUID();
        List<Sample> samples;
        String checkpoint;
        try (Lease lease = leases.lease(r.model(), r.checkpoint(), "model")) {
            LoadedModel model = lease.model();
            checkpoint = model.id().toString();
            if (model.networks() instanceof Networks.Language language) {
                samples = texts(model, language, r, plan.perPrompt(), seed);
            } else {
                samples = images(model, ImageGenerator.diffusion(model), r, plan.perPrompt(), seed);
            }
        }
        PairScores scores = r.scoreWith() == null ? null : score(r.scoreWith(), samples);
        // sampled on this request thread, whose glibc arena keeps what it freed unless trimmed (NativeHeap)
        NativeHeap.trim();

        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            Map<String, Object> params = new LinkedHashMap<>(s.params());
            params.put("proposal", proposal.toString());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("prompt", s.prompt());
            body.put(s.text() != null ? "text" : "image_base64", s.text() != null ? s.text() : s.imageBase64());
            body.put("model", r.model());
            body.put("checkpoint", checkpoint);
            body.put("seed", s.seed());
            body.put("params", params);
            UUID id = feedback.createCandidate(project, body, proposal + "/c" + i);
            @SuppressWarnings("unchecked")
            Map<String, Object> trajectory = (Map<String, Object>) params.get("trajectory");
            candidates.add(new Candidate(id, s.prompt(), s.seed(), trajectory));
        }
        List<Pair> pairs = new ArrayList<>();
        for (PairingPlan.Planned planned : plan.pairs(candidates.size())) {
            UUID a = candidates.get(planned.a()).id();
            UUID b = candidates.get(planned.b()).id();
            Double pA = scores == null ? null : scores.pA(planned.a(), planned.b());
            pairs.add(new Pair(feedback.createPair(project, a, b, proposal + "/" + planned.key(), pA,
                    scores == null ? null : scores.checkpoint()), a, b));
        }
        return new Result(proposal, project, r.model(), checkpoint, seed, candidates, pairs);
    }

    /** Bradley–Terry rewards of a proposal's samples under one reward-model checkpoint. */
    private record PairScores(String checkpoint, float[] rewards) {

        /** P(a ≻ b) = σ(r_a − r_b), the Bradley–Terry model's probability that a labeler prefers a. */
        double pA(int a, int b) {
            return 1 / (1 + Math.exp(-(rewards[a] - rewards[b])));
        }
    }

    /** Scores every sample with a reward model, one call per prompt (pairs never cross prompts). */
    private PairScores score(String rewardModel, List<Sample> samples) {
        float[] rewards = new float[samples.size()];
        String checkpoint = null;
        for (int from = 0; from < samples.size(); ) {
            String prompt = samples.get(from).prompt();
            int to = from;
            List<RewardRequest.Candidate> candidates = new ArrayList<>();
            while (to < samples.size() && samples.get(to).prompt().equals(prompt) && to - from < 64) {
                Sample s = samples.get(to++);
                candidates.add(new RewardRequest.Candidate(s.text(), s.imageBase64()));
            }
            RewardScoring.Result result;
            try {
                result = scoring.score(new RewardRequest(rewardModel, prompt, candidates));
            } catch (ApiException e) {
                throw ApiException.invalid("score_with", e.getMessage());
            }
            System.arraycopy(result.rewards(), 0, rewards, from, to - from);
            checkpoint = result.checkpoint().toString();
            from = to;
        }
        return new PairScores(checkpoint, rewards);
    }

    private List<Sample> images(LoadedModel model, Networks.Diffusion d, ProposalRequest r, int perPrompt, long seed) {
        boolean trajectories = Boolean.TRUE.equals(r.trajectories());
        SamplerSettings settings = ProposalSettings.image(r, d.policy().spec().trainTimesteps());
        if (trajectories) {
            TrajectoryFiles.check(settings);
        }
        Sampler sampler = ImageGenerator.sampler(d, settings);
        List<String> prompts = new ArrayList<>();
        for (String p : r.prompts()) {
            prompts.addAll(Collections.nCopies(perPrompt, p));
        }
        int size = d.policy().spec().imageSize();
        int channels = d.policy().spec().channels();
        int per = channels * size * size;
        List<Sample> out = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += chunk) {
            int to = Math.min(prompts.size(), from + chunk);
            long[] seeds = new long[to - from];
            for (int i = 0; i < seeds.length; i++) {
                seeds[i] = seed + from + i;
            }
            try (NDManager m = model.manager().newSubManager()) {
                List<Sampler.Trajectory> recorded = trajectories ? new ArrayList<>() : null;
                List<String> batch = prompts.subList(from, to);
                NDArray images = recorded == null ? sampler.sample(m, batch, seeds, settings)
                        : sampler.sample(m, batch, seeds, settings, recorded);
                float[] flat = images.toFloatArray();
                TrajectoryFiles.Batch trajectoryBatch = recorded == null ? null
                        : TrajectoryFiles.Batch.of(recorded.get(0));
                for (int i = 0; i < seeds.length; i++) {
                    Map<String, Object> params = ProposalSettings.samplerParams(settings);
                    if (trajectoryBatch != null) {
                        params.put("trajectory", trajectoryFiles.write(r.model(), trajectoryBatch, i, channels, size,
                                settings));
                    }
                    String png = Base64.getEncoder().encodeToString(
                            ImagePng.encode(Arrays.copyOfRange(flat, i * per, (i + 1) * per), size));
                    out.add(new Sample(batch.get(i), seeds[i], png, null, params));
                }
            }
        }
        return out;
    }

    private List<Sample> texts(LoadedModel model, Networks.Language language, ProposalRequest r, int perPrompt,
            long seed) {
        ProposalSettings.Text text = ProposalSettings.text(r);
        TextGenerator generator = new TextGenerator(language.model(), new ByteTokenizer());
        List<Sample> out = new ArrayList<>();
        for (int j = 0; j < r.prompts().size(); j++) {
            String prompt = r.prompts().get(j);
            long promptSeed = seed + j;
            List<Generation> generations;
            try (NDManager m = model.manager().newSubManager()) {
                generations = generator.generate(m, Collections.nCopies(perPrompt, prompt),
                        new SamplingParams(text.maxTokens(), text.temperature(), text.topP(), promptSeed));
            }
            for (int i = 0; i < perPrompt; i++) {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("max_tokens", text.maxTokens());
                params.put("temperature", text.temperature());
                params.put("top_p", text.topP());
                params.put("choice", i); // POST /v1/completions with this seed and n > choice reproduces it
                params.put("finish_reason", generations.get(i).finishReason());
                out.add(new Sample(prompt, promptSeed, null, generations.get(i).text(), params));
            }
        }
        return out;
    }
}
