package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.rl.KlController;
import io.prefloop.model.text.rl.PolicyWithValueHead;
import io.prefloop.model.text.rl.PpoTrainer;
import io.prefloop.model.text.rl.RolloutSampler;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.PpoSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * PPO with a KL penalty for a text model (InstructGPT; TRL's PPOTrainer, see docs/rl.md): from the
 * model's current checkpoint, which is also the frozen reference, against the job's
 * {@code reward_model}, on the distinct prompts of the project's text comparisons. Each step is one
 * batch of {@code batch_size} rollouts and its PPO epochs. The value head trains with the policy:
 * its weights, its Adam moments and the KL coefficient are in every snapshot, so a job resumed after
 * its worker died continues where it was. Only the language model is published.
 */
@Component
class PpoRunner extends FineTuningRunner<PpoSettings, TransformerLm> {

    PpoRunner(RunnerServices services) {
        super(services, Method.PPO, PpoSettings.class, ModelFamilies.CAUSAL_TRANSFORMER);
    }

    @Override
    protected Block trained(TransformerLm policy, NDManager manager) {
        return new PolicyWithValueHead(policy, manager);
    }

    @Override
    protected Plan plan(JobView job, PpoSettings settings, JobContext context, Start<TransformerLm> start,
            OptimizerStep optimizer, NDManager manager) {
        RlPrompts prompts = RlPrompts.read(services.feedback(), job);
        RlRewardModel reward = RlRewardModel.load(services, settings.rewardModel(), manager);
        context.message("Training on " + prompts.describe() + " against " + reward.id() + " from " + start.id());
        PolicyWithValueHead model = (PolicyWithValueHead) start.trained();
        ByteTokenizer tokenizer = new ByteTokenizer();
        RolloutSampler sampler = new RolloutSampler(start.policy(), model, start.reference(), tokenizer, reward.score(),
                settings.sampling());
        KlController kl = settings.klController();
        ScalarState klState = new ScalarState("kl_coef", kl.value(), manager);
        PpoTrainer trainer = new PpoTrainer(model, sampler, kl, settings.config(), optimizer, tokenizer);
        int batch = settings.training().batchSize();
        return new Plan((step, random) -> {
            kl.restore(klState.get()); // as saved, after a restart or a divergence retry
            Map<String, Double> metrics = trainer.step(manager, prompts.draw(batch, random), random.nextLong());
            klState.set(kl.value());
            return metrics;
        }, c -> RlEvaluation.evaluate(manager, start.policy(), start.reference(), reward.score(), settings.sampling(),
                prompts.heldOut(), prompts.training(), job.seed(), c),
                reward.dataset(prompts.dataset(job), prompts.training().size()), Map.of("kl_coef", klState));
    }
}
