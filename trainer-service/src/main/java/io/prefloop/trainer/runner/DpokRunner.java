package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.rl.DpokTrainer;
import io.prefloop.model.diffusion.rl.PolicyWithValue;
import io.prefloop.model.diffusion.rl.Rollout;
import io.prefloop.model.diffusion.rl.ValueNetwork;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.DpokSettings;
import java.util.Map;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * DPOK ({@link DpokTrainer}): the policy and its value network are one trained block with one Adam,
 * so an intermediate checkpoint holds the value network's weights and moments with the policy's
 * and a resumed job continues both. Only the policy is published.
 */
@Component
class DpokRunner extends PolicyGradientRunner<DpokSettings> {

    DpokRunner(RunnerServices services) {
        super(services, Method.DPOK, DpokSettings.class);
    }

    @Override
    protected Learner learner(DpokSettings settings, UNet policy, UNet reference, NDManager manager) {
        int size = policy.spec().imageSize();
        ValueNetwork value = ValueNetwork.create(policy.spec().channels() * size * size,
                policy.spec().vocabulary().size(), settings.samplingSteps(), settings.valueHidden(), manager);
        PolicyWithValue both = new PolicyWithValue(policy, value);
        OptimizerStep optimizer = OptimizerStep.adam(both, (float) settings.training().learningRate())
                .rateFactor(value, settings.valueLearningRate() / settings.training().learningRate());
        DpokTrainer trainer = new DpokTrainer(both, reference, optimizer, settings.loss(), settings.config(), manager);
        return new Learner() {
            @Override
            public Block trained() {
                return both;
            }

            @Override
            public OptimizerStep optimizer() {
                return optimizer;
            }

            @Override
            public Map<String, Double> train(Rollout rollout, Random random) {
                return trainer.train(rollout, random);
            }
        };
    }
}
