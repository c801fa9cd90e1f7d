package io.prefloop.trainer.job.settings;

import java.util.List;

/**
 * What every method's run takes: the optimiser's rate and batch, how long, how often to save an
 * intermediate checkpoint, gradient clipping, warm-up and the divergence guard (docs/trainer-service.md,
 * "Divergence guard"). A method's settings record has one of these and may change its defaults.
 */
public record TrainingSettings(double learningRate, int batchSize, int steps, int checkpointEvery, double maxGradNorm,
        int warmupSteps, double divergenceRatio, int divergencePatience) {

    static final int MAX_STEPS = 1_000_000;

    // max_grad_norm 1.0: diffusers' train_diffusion_dpo.py and transformers' TrainingArguments (TRL) both clip there
    static final List<Setting> COMMON = List.of(
            Setting.number("learning_rate", 1e-4, 0, true, 1),
            Setting.integer("batch_size", 16, 1, 4096),
            Setting.integer("steps", 300, 1, MAX_STEPS),
            Setting.integer("checkpoint_every", 50, 1, MAX_STEPS),
            Setting.number("max_grad_norm", 1.0, 0, false, MAX_STEPS),
            Setting.integer("warmup_steps", 0, 0, MAX_STEPS),
            Setting.number("divergence_ratio", 3, 0, false, MAX_STEPS),
            Setting.integer("divergence_patience", 5, 1, MAX_STEPS));

    // the diffusion methods warm up (diffusers' Diffusion-DPO script does) and watch model_mse / ref_mse, bound 2
    static final Setting DIFFUSION_WARMUP = Setting.integer("warmup_steps", 10, 0, MAX_STEPS);
    static final Setting DIFFUSION_RATIO = Setting.number("divergence_ratio", 2, 0, false, MAX_STEPS);

    public TrainingSettings {
        if (divergenceRatio > 0 && divergenceRatio <= 1) {
            throw new InvalidSettingException("divergence_ratio",
                    "must be 0 (ratio watch off) or > 1: at or below 1 it trips on healthy training");
        }
    }
}
