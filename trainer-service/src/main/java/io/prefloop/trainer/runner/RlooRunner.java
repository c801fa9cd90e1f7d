package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.rl.RlooTrainer;
import io.prefloop.model.text.rl.RolloutSampler;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.RlooSettings;
import io.prefloop.trainer.worker.JobContext;
import org.springframework.stereotype.Component;

/**
 * RLOO for a text model (Ahmadian et al. 2024; TRL's RLOOTrainer, see docs/rl.md): from the model's
 * current checkpoint, which is also the frozen reference, against the job's {@code reward_model}:
 * each step samples {@code rloo_k} completions of each of batch_size / rloo_k training prompts.
 */
@Component
class RlooRunner extends FineTuningRunner<RlooSettings, TransformerLm> {

    RlooRunner(RunnerServices services) {
        super(services, Method.RLOO, RlooSettings.class, ModelFamilies.CAUSAL_TRANSFORMER);
    }

    @Override
    protected Plan plan(JobView job, RlooSettings settings, JobContext context, Start<TransformerLm> start,
            OptimizerStep optimizer, NDManager manager) {
        RlPrompts prompts = RlPrompts.read(services.feedback(), job);
        RlRewardModel reward = RlRewardModel.load(services, settings.rewardModel(), manager);
        context.message("Training on " + prompts.describe() + " against " + reward.id() + " from " + start.id());
        ByteTokenizer tokenizer = new ByteTokenizer();
        RolloutSampler sampler = new RolloutSampler(start.policy(), null, start.reference(), tokenizer, reward.score(),
                settings.sampling());
        RlooTrainer trainer = new RlooTrainer(start.policy(), sampler, settings.config(), optimizer, tokenizer);
        int count = settings.prompts();
        return new Plan((step, random) -> trainer.step(manager, prompts.draw(count, random), random.nextLong()),
                c -> RlEvaluation.evaluate(manager, start.policy(), start.reference(), reward.score(), settings.sampling(),
                        prompts.heldOut(), prompts.training(), job.seed(), c),
                reward.dataset(prompts.dataset(job), prompts.training().size()));
    }
}
