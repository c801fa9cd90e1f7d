package io.prefloop.model.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples every prompt with fixed seeds and judges each image with the oracle. The same seeds under
 * two models give paired images (same initial and step noise), for win rates.
 */
public final class AlignmentEval {

    /** Judgments of images i = 0..n-1: prompt i mod |prompts|, seed base + i. */
    public record Result(List<Prompt> prompts, List<Judgment> judgments) {

        public double alignment() {
            return judgments.stream().filter(Judgment::aligned).count() / (double) judgments.size();
        }

        public double colourAccuracy() {
            int ok = 0;
            for (int i = 0; i < judgments.size(); i++) {
                ok += judgments.get(i).colour() == prompts.get(i).colour() ? 1 : 0;
            }
            return ok / (double) judgments.size();
        }

        public double shapeAccuracy() {
            int ok = 0;
            for (int i = 0; i < judgments.size(); i++) {
                ok += judgments.get(i).shape() == prompts.get(i).shape() ? 1 : 0;
            }
            return ok / (double) judgments.size();
        }

        /** Images in the prompt colour's systematic partner: the learned mistake. */
        public double misbound() {
            int bad = 0;
            for (int i = 0; i < judgments.size(); i++) {
                bad += judgments.get(i).colour() == prompts.get(i).colour().confusedWith() ? 1 : 0;
            }
            return bad / (double) judgments.size();
        }

        public double meanScore() {
            return judgments.stream().mapToDouble(Judgment::score).average().orElse(0);
        }
    }

    /** Win rate of {@code a} over {@code b} on paired images, by graded score. */
    public record WinRate(int wins, int losses, int ties) {
        public double tiesHalf() {
            return (wins + 0.5 * ties) / (wins + losses + ties);
        }

        public double decisive() {
            return wins + losses == 0 ? 0.5 : wins / (double) (wins + losses);
        }
    }

    public static WinRate winRate(Result a, Result b) {
        int w = 0, l = 0, t = 0;
        for (int i = 0; i < a.judgments().size(); i++) {
            double sa = a.judgments().get(i).score();
            double sb = b.judgments().get(i).score();
            if (sa > sb) {
                w++;
            } else if (sa < sb) {
                l++;
            } else {
                t++;
            }
        }
        return new WinRate(w, l, t);
    }

    public static Result run(Sampler sampler, NDManager m, List<Prompt> prompts, int n, long seedBase,
            SamplerSettings settings, int batch) {
        ShapesOracle oracle = new ShapesOracle(ShapesModel.IMAGE_SIZE);
        List<Prompt> asked = new ArrayList<>();
        List<Judgment> judged = new ArrayList<>();
        for (int start = 0; start < n; start += batch) {
            int k = Math.min(batch, n - start);
            List<String> texts = new ArrayList<>();
            long[] seeds = new long[k];
            for (int i = 0; i < k; i++) {
                Prompt p = prompts.get((start + i) % prompts.size());
                asked.add(p);
                texts.add(p.text());
                seeds[i] = seedBase + start + i;
            }
            try (NDManager s = m.newSubManager()) {
                NDArray images = sampler.sample(s, texts, seeds, settings);
                float[] flat = images.toFloatArray();
                for (int i = 0; i < k; i++) {
                    judged.add(oracle.judge(ShapesBatch.row(flat, i, ShapesModel.IMAGE_SIZE), asked.get(start + i)));
                }
            }
        }
        return new Result(asked, judged);
    }
}
