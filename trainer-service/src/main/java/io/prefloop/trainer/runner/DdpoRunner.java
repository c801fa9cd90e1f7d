package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.rl.DdpoTrainer;
import io.prefloop.model.diffusion.rl.PerPromptStatTracker;
import io.prefloop.model.diffusion.rl.Rollout;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.DdpoSettings;
import java.util.Map;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * DDPO-IS ({@link DdpoTrainer}) with per-prompt advantages. The stat tracker's buffers live in memory:
 * a job resumed on another worker starts them empty, so until a prompt has {@code stat_min_count}
 * rewards again its advantages use the batch's statistics (ddpo-pytorch's own fallback).
 */
@Component
class DdpoRunner extends PolicyGradientRunner<DdpoSettings> {

    DdpoRunner(RunnerServices services) {
        super(services, Method.DDPO, DdpoSettings.class);
    }

    @Override
    protected Learner learner(DdpoSettings settings, UNet policy, UNet reference, NDManager manager) {
        OptimizerStep optimizer = OptimizerStep.adam(policy, (float) settings.training().learningRate());
        DdpoTrainer trainer = new DdpoTrainer(policy, reference, optimizer, settings.config(), manager);
        PerPromptStatTracker tracker = new PerPromptStatTracker(settings.statBufferSize(), settings.statMinCount());
        return new Learner() {
            @Override
            public Block trained() {
                return policy;
            }

            @Override
            public OptimizerStep optimizer() {
                return optimizer;
            }

            @Override
            public Map<String, Double> train(Rollout rollout, Random random) {
                return trainer.train(rollout, tracker.update(rollout.prompts(), rollout.rewards()), random);
            }
        };
    }
}
