package io.prefloop.trainer.runner;

import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.settings.SftSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A supervised fine-tuning job's examples: the project's demonstrations written up to the job's
 * creation (so that a resumed job trains on the same set), and, when the settings ask, the preferred
 * side of the decisive comparisons in the job's feed range. Split into training and held-out by
 * prompt as {@link ComparisonSet} splits comparisons, so a prompt is on the same side in every job.
 */
record DemonstrationSet(List<Example> training, List<Example> heldOut, int demonstrations, int chosen) {

    private static final int PAGE = 1000;

    /** A prompt and what the model should produce: a text, or an image by its SHA-256. */
    record Example(String prompt, String text, String imageSha256) {}

    static DemonstrationSet read(FeedbackClient feedback, JobView job, SftSettings settings, Predicate<Example> usable) {
        List<Example> all = new ArrayList<>();
        UUID after = null;
        FeedbackClient.DemonstrationPage page;
        do {
            page = feedback.demonstrations(job.project(), after, PAGE);
            for (FeedbackClient.Demonstration d : page.demonstrations()) {
                if (!d.createdAt().isAfter(job.createdAt())) {
                    all.add(new Example(d.prompt(), d.text(), d.imageSha256()));
                }
                after = d.id();
            }
        } while (page.hasMore());
        int demonstrations = (int) all.stream().filter(usable).count();
        int chosen = 0;
        if (settings.data() == SftSettings.Data.DEMONSTRATIONS_AND_CHOSEN) {
            for (Comparison c : chosenSides(feedback, job, usable)) {
                all.add(chosen(c));
                chosen++;
            }
        }
        List<Example> training = new ArrayList<>();
        List<Example> heldOut = new ArrayList<>();
        for (Example e : all) {
            if (!usable.test(e)) {
                continue;
            }
            (ComparisonSet.heldOut(e.prompt(), settings.heldoutFraction()) ? heldOut : training).add(e);
        }
        if (training.isEmpty()) {
            throw new IllegalStateException("Project " + job.project() + " has no demonstrations to train on"
                    + (settings.data() == SftSettings.Data.DEMONSTRATIONS_AND_CHOSEN ? " and no decisive comparisons" : "")
                    + " (" + heldOut.size() + " held out); add some with POST /v1/projects/" + job.project()
                    + "/demonstrations");
        }
        return new DemonstrationSet(training, heldOut, demonstrations, chosen);
    }

    /** The decisive comparisons in the job's feed range whose chosen side is usable; none when there are none. */
    private static List<Comparison> chosenSides(FeedbackClient feedback, JobView job, Predicate<Example> usable) {
        ComparisonSet comparisons;
        try {
            comparisons = ComparisonSet.read(feedback, job, c -> usable.test(chosen(c)));
        } catch (IllegalStateException none) {
            return List.of();
        }
        List<Comparison> all = new ArrayList<>(comparisons.training());
        all.addAll(comparisons.heldOut());
        return all;
    }

    private static Example chosen(Comparison c) {
        return new Example(c.prompt(), c.chosen() == null ? null : c.chosen().text(),
                c.chosen() == null ? null : c.chosen().imageSha256());
    }

    String describe() {
        return training.size() + " examples for training and " + heldOut.size() + " held out (" + demonstrations
                + " demonstrations" + (chosen > 0 ? ", " + chosen + " chosen sides of comparisons" : "") + ")";
    }

    Map<String, Object> dataset(JobView job) {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("project", job.project().toString());
        dataset.put("demonstrations_until", job.createdAt().toString());
        dataset.put("examples", training.size());
        dataset.put("heldout_examples", heldOut.size());
        dataset.put("demonstrations", demonstrations);
        dataset.put("chosen", chosen);
        dataset.put("job_id", job.id().toString());
        return dataset;
    }
}
