package io.prefloop.trainer.runner;

import io.prefloop.common.io.Sha256;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.settings.HeldOutSplit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The decisive comparisons (and ties, when asked) of a job's feed range, split into training and held-out pairs by prompt:
 * a prompt is held out when the first 8 bytes of its SHA-256, as a fraction of 2⁶⁴, fall below
 * {@code heldout_fraction}. The split depends on the prompt alone, so a prompt stays on the same
 * side in every job and round, and no held-out prompt is ever trained on. Ties, splits and
 * both-bad pairs are not preferences and are left out.
 *
 * @param from the feed position the range starts after; {@code to} the last position read
 */
record ComparisonSet(List<Comparison> training, List<Comparison> heldOut, long from, long to, int undecided) {

    private static final int PAGE = 1000;

    static ComparisonSet read(FeedbackClient feedback, JobView job, Predicate<Comparison> usable) {
        return read(feedback, job, usable, false);
    }

    /** @param withTies keep tied pairs too (for a reward model that counts ties as half wins) */
    static ComparisonSet read(FeedbackClient feedback, JobView job, Predicate<Comparison> usable, boolean withTies) {
        long from = job.feedAfter() == null ? 0 : job.feedAfter();
        long to = job.feedTo() == null ? Long.MAX_VALUE : job.feedTo();
        double heldOutFraction = job.settings() instanceof HeldOutSplit split ? split.heldoutFraction() : 0;
        List<Comparison> training = new ArrayList<>();
        List<Comparison> heldOut = new ArrayList<>();
        int undecided = 0;
        long position = from;
        FeedbackClient.Page page;
        do {
            page = feedback.comparisons(job.project(), position, PAGE);
            for (Comparison c : page.comparisons()) {
                if (c.position() > to) {
                    break;
                }
                boolean kept = c.decisive() || (withTies && c.tie() && c.a() != null && c.b() != null);
                if (!kept || !usable.test(c)) {
                    undecided++;
                } else if (heldOut(c.prompt(), heldOutFraction)) {
                    heldOut.add(c);
                } else {
                    training.add(c);
                }
                position = c.position();
            }
        } while (page.hasMore() && position < to);
        if (training.isEmpty()) {
            throw new IllegalStateException("Project " + job.project() + " has no decisive comparisons to train on in feed"
                    + " positions " + (from + 1) + "–" + (to == Long.MAX_VALUE ? "end" : to) + " (" + heldOut.size()
                    + " held out, " + undecided + " ties, splits, both-bad or unusable)");
        }
        return new ComparisonSet(training, heldOut, from, position, undecided);
    }

    static boolean heldOut(String prompt, double fraction) {
        if (fraction <= 0) {
            return false;
        }
        byte[] digest = Sha256.digest(prompt.getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (digest[i] & 0xff);
        }
        // unsigned 64-bit value as a fraction of 2^64
        double u = (bits >>> 11) * 0x1.0p-53;
        return u < fraction;
    }

    String describe() {
        return training.size() + " comparisons for training and " + heldOut.size() + " held out (feed positions "
                + (from + 1) + "–" + to + "; " + undecided + " ties, splits or both-bad left out)";
    }

    Map<String, Object> dataset(JobView job) {
        return Map.of("project", job.project().toString(), "feed_after", from, "feed_to", to, "pairs", training.size(),
                "heldout_pairs", heldOut.size(), "job_id", job.id().toString());
    }
}
