package io.prefloop.trainer.runner;

import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The prompts a PPO or RLOO job samples completions for: the distinct prompts of the project's
 * decisive text comparisons in the job's feed range, split into training and held-out prompts as
 * every method splits them ({@link ComparisonSet}).
 */
record RlPrompts(List<String> training, List<String> heldOut, ComparisonSet data) {

    static RlPrompts read(FeedbackClient feedback, JobView job) {
        ComparisonSet data = ComparisonSet.read(feedback, job,
                c -> c.chosen().text() != null && c.rejected().text() != null);
        List<String> training = new ArrayList<>(new LinkedHashSet<>(data.training().stream().map(c -> c.prompt()).toList()));
        List<String> heldOut = new ArrayList<>(new LinkedHashSet<>(data.heldOut().stream().map(c -> c.prompt()).toList()));
        return new RlPrompts(training, heldOut, data);
    }

    /** {@code count} training prompts drawn with replacement. */
    List<String> draw(int count, Random random) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(training.get(random.nextInt(training.size())));
        }
        return out;
    }

    String describe() {
        return training.size() + " prompts (" + heldOut.size() + " held out) of " + data.describe();
    }

    Map<String, Object> dataset(JobView job) {
        return data.dataset(job);
    }
}
