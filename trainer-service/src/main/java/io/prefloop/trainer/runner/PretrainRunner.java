package io.prefloop.trainer.runner;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.tracker.Tracker;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.DenoisingTrainer;
import io.prefloop.model.diffusion.Ema;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.UNetSpec;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.replies.BasePretraining;
import io.prefloop.model.replies.PretrainingConfig;
import io.prefloop.model.replies.RepliesModels;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.PretrainSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Pretrains a synthetic world's base model from scratch (the platform's stand-in for a user's
 * own base model): {@code shapes}, the conditional UNet on the pretraining set whose colours are
 * wrong in a systematic way a set fraction of the time, with prompt dropout for classifier-free
 * guidance, Adam with cosine decay to lr/20, and an EMA of the weights (what is published); or
 * {@code replies}, the byte-level language model on replies in three styles. The same routines
 * made the committed base checkpoints (docs/diffusion.md, docs/language.md).
 */
@Component
class PretrainRunner extends CheckpointRunner {

    PretrainRunner(RunnerServices services) {
        super(services);
    }

    @Override
    public boolean supports(Method method) {
        return method == Method.PRETRAIN;
    }

    @Override
    protected Result train(JobView job, JobContext context, NDManager manager) {
        Engine.getInstance().setRandomSeed((int) job.seed());
        PretrainSettings settings = job.settings(PretrainSettings.class);
        return settings.world() == PretrainSettings.World.REPLIES ? replies(job, settings, context, manager)
                : shapes(job, settings, context, manager);
    }

    private Result shapes(JobView job, PretrainSettings settings, JobContext context, NDManager manager) {
        int steps = settings.training().steps();
        int batch = settings.training().batchSize();
        float lr = (float) settings.training().learningRate();
        UNetSpec spec = ShapesModel.spec();
        UNet net = UNet.create(spec, manager);
        UNet average = UNet.create(spec, manager);
        BlockWeights.load(average, BlockWeights.of(net));
        average.freezeParameters(true); // updated in place by the EMA, never by a gradient
        Ema ema = new Ema(net, average, settings.ema());
        OptimizerStep optimizer = OptimizerStep.adam(net, Tracker.cosine().setBaseValue(lr).optFinalValue(lr / 20)
                .setMaxUpdates(steps).build());
        DenoisingTrainer trainer = new DenoisingTrainer(net, optimizer, settings.promptDropout(), manager);
        PretrainingSet data = new PretrainingSet(settings.wrongColourFraction(), spec.imageSize());
        context.message("Pretraining the shapes UNet (" + net.parameterCount() + " parameters) for " + steps
                + " steps of " + batch + " images");
        Map<String, Double> last = training.run(job, context, net, optimizer, Map.<String, Block>of("ema", average),
                manager, (step, random) -> {
                    List<Scene> scenes = new ArrayList<>();
                    List<String> prompts = new ArrayList<>();
                    for (PretrainingSet.Example e : data.batch(batch, random)) {
                        scenes.add(e.scene());
                        prompts.add(e.prompt().text());
                    }
                    Map<String, Double> metrics;
                    try (NDManager s = manager.newSubManager()) {
                        NDArray images = ShapesBatch.images(s, scenes, spec.imageSize());
                        metrics = trainer.step(images, spec.tokenizer().encode(s, prompts), random).metrics();
                    }
                    ema.update();
                    return metrics;
                });
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("world", "shapes");
        dataset.put("wrong_colour_fraction", settings.wrongColourFraction());
        dataset.put("confusion", "red->purple->blue->green->yellow->red");
        dataset.put("examples", (long) steps * batch);
        dataset.put("job_id", job.id().toString());
        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"), spec.toMap(), "pretrain")
                .withHyperparameters(job.hyperparameters()).withDataset(dataset).withMetrics(new LinkedHashMap<>(last));
        return new Result(manifest, BlockWeights.of(average));
    }

    private Result replies(JobView job, PretrainSettings settings, JobContext context, NDManager manager) {
        PretrainingConfig standard = PretrainingConfig.standard();
        PretrainingConfig config = new PretrainingConfig(settings.training().steps(), settings.training().batchSize(),
                (float) settings.training().learningRate(), standard.formalShare(), standard.casualShare(),
                standard.wrongAnswerRate(), job.seed());
        BasePretraining pretraining = new BasePretraining(RepliesWorld.standard(), new ByteTokenizer(), config);
        TransformerLm model = TransformerLm.create(RepliesModels.SPEC, manager);
        OptimizerStep optimizer = OptimizerStep.adamCosine(model, config.learningRate(), config.steps());
        context.message("Pretraining the replies language model for " + config.steps() + " steps of "
                + config.batchSize() + " texts");
        Map<String, Double> last = training.run(job, context, model, optimizer, manager,
                (step, random) -> Map.of("loss", pretraining.step(model, optimizer, manager, random)));
        Map<String, Object> dataset = new LinkedHashMap<>(config.toMap());
        dataset.put("world", "replies");
        dataset.put("job_id", job.id().toString());
        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"),
                ModelFamilies.CAUSAL_TRANSFORMER.architecture(model), "pretrain").withHyperparameters(job.hyperparameters())
                .withDataset(dataset).withMetrics(new LinkedHashMap<>(last));
        return new Result(manifest, BlockWeights.of(model));
    }

}
