package io.prefloop.inference.proposal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.inference.image.ImageGenerator;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.inference.serving.Lease;
import io.prefloop.inference.serving.LoadedModel;
import io.prefloop.inference.serving.Networks;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
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
import java.util.concurrent.ThreadLocalRandom;
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

    private final ServedModels models;
    private final FeedbackClient feedback;
    private final TrajectoryFiles trajectoryFiles;
    private final int chunk;

    Proposals(ServedModels models, FeedbackClient feedback, DirectoryCheckpointStore store,
            InferenceProperties properties) {
        this.models = models;
        this.feedback = feedback;
        this.trajectoryFiles = new TrajectoryFiles(store.root());
        this.chunk = Math.max(1, properties.batching().maxBatch());
    }

    public Result propose(UUID project, ProposalRequest r) {
        if (r.pairsPerPrompt() != null && r.candidatesPerPrompt() != null) {
            throw ApiException.invalid("candidates_per_prompt", "give pairs_per_prompt or candidates_per_prompt, not both");
        }
        boolean allPairs = r.candidatesPerPrompt() != null;
        int perPrompt = allPairs ? r.candidatesPerPrompt() : 2 * (r.pairsPerPrompt() == null ? 1 : r.pairsPerPrompt());
        if (r.prompts().size() * perPrompt > ProposalRequest.MAX_CANDIDATES) {
            throw ApiException.invalid(allPairs ? "candidates_per_prompt" : "pairs_per_prompt",
                    "prompts × candidates per prompt may be at most " + ProposalRequest.MAX_CANDIDATES + " candidates");
        }
        long seed = r.seed() == null || r.seed() == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : r.seed();
        UUID proposal = UUID.randomUUID();
        List<Sample> samples;
        String checkpoint;
        try (Lease lease = models.lease(r.model(), "model")) {
            LoadedModel model = lease.model();
            checkpoint = model.id().toString();
            if (model.networks() instanceof Networks.Language language) {
                samples = texts(model, language, r, perPrompt, seed);
            } else {
                samples = images(model, ImageGenerator.diffusion(model), r, perPrompt, seed);
            }
        }

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
        for (int start = 0; start < candidates.size(); start += perPrompt) {
            for (int i = start; i < start + perPrompt; i++) {
                for (int j = i + 1; j < start + perPrompt; j++) {
                    if (!allPairs && (i % 2 != 0 || j != i + 1)) {
                        continue; // disjoint pairs: 2i with 2i + 1
                    }
                    UUID a = candidates.get(i).id();
                    UUID b = candidates.get(j).id();
                    // the key of disjoint pair (2i, 2i+1) stays "p<2i>", as before all-pairs existed
                    String key = proposal + (allPairs ? "/p" + i + "-" + j : "/p" + i);
                    pairs.add(new Pair(feedback.createPair(project, a, b, key), a, b));
                }
            }
        }
        return new Result(proposal, project, r.model(), checkpoint, seed, candidates, pairs);
    }

    private List<Sample> images(LoadedModel model, Networks.Diffusion d, ProposalRequest r, int perPrompt, long seed) {
        boolean trajectories = Boolean.TRUE.equals(r.trajectories());
        int steps = r.steps() == null ? 25 : r.steps();
        if (steps > d.policy().spec().trainTimesteps()) {
            throw ApiException.invalid("steps", "must be at most the model's " + d.policy().spec().trainTimesteps()
                    + " training timesteps");
        }
        SamplerSettings settings = new SamplerSettings(steps,
                SamplerSettings.Kind.parse(r.sampler() == null ? "ddim" : r.sampler()),
                r.eta() == null ? (trajectories ? 1.0 : 0.0) : r.eta(), r.cfgScale() == null ? 3 : r.cfgScale(),
                r.rewardGuidanceScale() == null ? 0 : r.rewardGuidanceScale(), true);
        if (trajectories) {
            // D3PO re-scores each stored step as a Gaussian transition of DDIM with CFG
            if (settings.sampler() != SamplerSettings.Kind.DDIM) {
                throw ApiException.invalid("sampler", "trajectories are recorded for ddim only");
            }
            if (!(settings.eta() > 0)) {
                throw ApiException.invalid("eta", "trajectories need eta > 0 (a deterministic step has no log-probability)");
            }
            if (settings.rewardGuidanceScale() != 0) {
                throw ApiException.invalid("reward_guidance_scale", "trajectories are recorded with plain CFG only");
            }
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
                float[][] latents = null;
                float[][] logProbs = null;
                int[] timesteps = null;
                if (recorded != null) {
                    Sampler.Trajectory t = recorded.get(0);
                    latents = t.latents().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
                    logProbs = t.logProbs().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
                    timesteps = t.timesteps();
                }
                for (int i = 0; i < seeds.length; i++) {
                    Map<String, Object> params = samplerParams(settings);
                    if (recorded != null) {
                        float[] lat = new float[latents.length * per];
                        for (int k = 0; k < latents.length; k++) {
                            System.arraycopy(latents[k], i * per, lat, k * per, per);
                        }
                        float[] lp = new float[logProbs.length];
                        for (int k = 0; k < logProbs.length; k++) {
                            lp[k] = logProbs[k][i];
                        }
                        TrajectoryFiles.Written file = trajectoryFiles.write(r.model(), m, lat,
                                new Shape(latents.length, channels, size, size), lp, timesteps);
                        Map<String, Object> trajectory = new LinkedHashMap<>();
                        trajectory.put("path", file.path());
                        trajectory.put("sha256", file.sha256());
                        trajectory.put("steps", settings.steps());
                        trajectory.put("eta", settings.eta());
                        trajectory.put("cfg_scale", settings.cfgScale());
                        trajectory.put("sampler", "ddim");
                        params.put("trajectory", trajectory);
                    }
                    String png = Base64.getEncoder().encodeToString(
                            ImagePng.encode(Arrays.copyOfRange(flat, i * per, (i + 1) * per), size));
                    out.add(new Sample(batch.get(i), seeds[i], png, null, params));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> samplerParams(SamplerSettings s) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("sampler", s.sampler().name().toLowerCase());
        params.put("steps", s.steps());
        params.put("cfg_scale", s.cfgScale());
        params.put("reward_guidance_scale", s.rewardGuidanceScale());
        params.put("eta", s.eta());
        return params;
    }

    private List<Sample> texts(LoadedModel model, Networks.Language language, ProposalRequest r, int perPrompt,
            long seed) {
        if (Boolean.TRUE.equals(r.trajectories())) {
            throw ApiException.invalid("trajectories", "trajectories are recorded for image models only");
        }
        int maxTokens = r.maxTokens() == null ? 32 : r.maxTokens();
        double temperature = r.temperature() == null ? 1 : r.temperature();
        double topP = r.topP() == null ? 1 : r.topP();
        TextGenerator generator = new TextGenerator(language.model(), new ByteTokenizer());
        List<Sample> out = new ArrayList<>();
        for (int j = 0; j < r.prompts().size(); j++) {
            String prompt = r.prompts().get(j);
            long promptSeed = seed + j;
            List<Generation> generations;
            try (NDManager m = model.manager().newSubManager()) {
                generations = generator.generate(m, Collections.nCopies(perPrompt, prompt),
                        new SamplingParams(maxTokens, temperature, topP, promptSeed));
            }
            for (int i = 0; i < perPrompt; i++) {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("max_tokens", maxTokens);
                params.put("temperature", temperature);
                params.put("top_p", topP);
                params.put("choice", i); // POST /v1/completions with this seed and n > choice reproduces it
                params.put("finish_reason", generations.get(i).finishReason());
                out.add(new Sample(prompt, promptSeed, null, generations.get(i).text(), params));
            }
        }
        return out;
    }
}
