package io.prefloop.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** LoRA adapters on the llama-gqa fixture, and their PEFT file format. */
class LoraTest {

    private static final int[][] TOKENS = {{1, 40, 41, 42, 7, 9, 200, 3}, {5, 6, 7, 8, 9, 10, 11, 12}};
    private static final LoraConfig ALL = new LoraConfig(4, 8, 0, LoraConfig.LLAMA_MODULES);
    private static final LoraConfig QV = new LoraConfig(4, 16, 0.05, List.of("q_proj", "v_proj"));

    @TempDir
    Path tmp;

    @Test
    void freshAdaptersGiveTheBaseLogitsExactly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            float[] base = model.logits(manager, TOKENS).toFloatArray();
            LoraAdapters lora = model.addLora(ALL, manager, 7);
            assertThat(lora.weights()).hasSize(2 * 7 * 2);
            Parameter a = lora.weights().get("model.layers.0.self_attn.q_proj.lora_A.weight");
            assertThat(a.getArray().getShape()).isEqualTo(new Shape(4, 64));
            float bound = (float) (1 / Math.sqrt(64));
            float[] values = a.getArray().toFloatArray();
            for (float v : values) {
                assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
            }
            assertThat(lora.weights().get("model.layers.1.mlp.down_proj.lora_B.weight").getArray().getShape())
                    .isEqualTo(new Shape(64, 4));
            assertThat(lora.weights().get("model.layers.1.mlp.down_proj.lora_B.weight").getArray().abs().sum().getFloat())
                    .isZero();
            assertThat(model.logits(manager, TOKENS).toFloatArray()).containsExactly(base);
        }
    }

    @Test
    void adaptersMatchTheMergedModelAndOffIsTheBaseExactly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            float[] base = model.logits(manager, TOKENS).toFloatArray();
            LoraAdapters lora = model.addLora(ALL, manager, 7);
            randomise(lora, 11);
            float[] adapted = model.logits(manager, TOKENS).toFloatArray();
            assertThat(maxDiff(adapted, base)).isGreaterThan(1e-3);

            lora.exportMerged(fixture(), tmp.resolve("merged"));
            LlamaForCausalLM merged = LlamaForCausalLM.load(tmp.resolve("merged"), manager);
            assertThat(merged.lora()).isNull();
            double diff = maxDiff(merged.logits(manager, TOKENS).toFloatArray(), adapted);
            System.out.printf("LoRA: max |logit(adapters) - logit(merged)| = %.3g%n", diff);
            assertThat(diff).isLessThanOrEqualTo(1e-5);

            model.setAdaptersEnabled(false);
            assertThat(model.logits(manager, TOKENS).toFloatArray()).containsExactly(base);
            model.setAdaptersEnabled(true);
            assertThat(model.logits(manager, TOKENS).toFloatArray()).containsExactly(adapted);
        }
    }

    @Test
    void adamStepsTrainOnlyTheAdaptersAndLowerTheLoss() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            Map<String, float[]> before = new HashMap<>();
            model.weights().forEach((name, p) -> before.put(name, p.getArray().toFloatArray()));
            LoraAdapters lora = model.addLora(QV, manager, 3);
            Map<String, float[]> adaptersBefore = new HashMap<>();
            lora.weights().forEach((name, p) -> adaptersBefore.put(name, p.getArray().toFloatArray()));
            OptimizerStep optimizer = OptimizerStep.adam(lora, 1e-2f);
            float first = nextTokenLoss(model, manager, false);
            for (int step = 0; step < 8; step++) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(lossArray(model, manager, true));
                }
                optimizer.step();
            }
            float last = nextTokenLoss(model, manager, false);
            System.out.printf("LoRA: next-token loss %.5f -> %.5f after 8 Adam steps%n", first, last);
            assertThat(last).isLessThan(first);
            model.weights().forEach((name, p) -> {
                assertThat(p.requiresGradient()).as(name).isFalse();
                assertThat(p.getArray().hasGradient()).as(name).isFalse();
                assertThat(p.getArray().toFloatArray()).as(name).containsExactly(before.get(name));
            });
            lora.weights().forEach((name, p) ->
                    assertThat(p.getArray().toFloatArray()).as(name).isNotEqualTo(adaptersBefore.get(name)));
        }
    }

    @Test
    void saveAndLoadGiveTheSameAdaptersAndLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            LoraAdapters lora = model.addLora(QV, manager, 5);
            randomise(lora, 13);
            float[] logits = model.logits(manager, TOKENS).toFloatArray();
            lora.save(tmp.resolve("adapter"), "prefloop/llama-gqa");

            LlamaForCausalLM fresh = LlamaForCausalLM.load(fixture(), manager);
            LoraAdapters loaded = LoraAdapters.load(tmp.resolve("adapter"), fresh, manager);
            assertThat(fresh.lora()).isSameAs(loaded);
            assertThat(loaded.config()).isEqualTo(QV);
            assertThat(loaded.weights().keySet()).containsExactlyElementsOf(lora.weights().keySet());
            lora.weights().forEach((name, p) -> assertThat(loaded.weights().get(name).getArray().toFloatArray())
                    .as(name).containsExactly(p.getArray().toFloatArray()));
            assertThat(fresh.logits(manager, TOKENS).toFloatArray()).containsExactly(logits);
            fresh.weights().values().forEach(p -> assertThat(p.requiresGradient()).isFalse());
        }
    }

    @Test
    void savedFilesUsePeftsKeysAndConfigFields() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            model.addLora(QV, manager, 5).save(tmp, "meta-llama/Llama-3.2-1B");
        }
        try (HfWeights saved = HfWeights.open(tmp.resolve("adapter_model.safetensors"))) {
            assertThat(saved.names()).containsExactlyInAnyOrder(
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
            for (String name : saved.names()) {
                assertThat(saved.dtype(name)).isEqualTo("F32");
            }
            assertThat(saved.shape("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight")).containsExactly(4, 64);
            // v_proj: 2 key/value heads of 16 → 32 outputs
            assertThat(saved.shape("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")).containsExactly(32, 4);
        }
        JsonNode config = JsonMapper.builder().build().readTree(Files.readString(tmp.resolve("adapter_config.json")));
        List<String> fields = new ArrayList<>(config.propertyNames());
        assertThat(fields).containsExactlyInAnyOrder("peft_type", "task_type", "r", "lora_alpha", "lora_dropout",
                "target_modules", "bias", "base_model_name_or_path", "fan_in_fan_out", "inference_mode");
        assertThat(config.get("peft_type").asString()).isEqualTo("LORA");
        assertThat(config.get("task_type").asString()).isEqualTo("CAUSAL_LM");
        assertThat(config.get("r").isIntegralNumber()).isTrue();
        assertThat(config.get("r").asInt()).isEqualTo(4);
        assertThat(config.get("lora_alpha").isIntegralNumber()).isTrue();
        assertThat(config.get("lora_alpha").asInt()).isEqualTo(16);
        assertThat(config.get("lora_dropout").asDouble()).isEqualTo(0.05);
        assertThat(config.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");
        assertThat(config.get("bias").asString()).isEqualTo("none");
        assertThat(config.get("base_model_name_or_path").asString()).isEqualTo("meta-llama/Llama-3.2-1B");
        assertThat(config.get("fan_in_fan_out").isBoolean()).isTrue();
        assertThat(config.get("fan_in_fan_out").asBoolean()).isFalse();
        assertThat(config.get("inference_mode").asBoolean()).isTrue();
    }

    @Test
    void badLoraConfigValuesAreRefusedNamingTheField() {
        List<String> qv = List.of("q_proj", "v_proj");
        assertThatThrownBy(() -> new LoraConfig(0, 8, 0, qv)).hasMessageContaining("r must be >= 1");
        assertThatThrownBy(() -> new LoraConfig(4, 0, 0, qv)).hasMessageContaining("lora_alpha");
        assertThatThrownBy(() -> new LoraConfig(4, Double.NaN, 0, qv)).hasMessageContaining("lora_alpha");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 1, qv)).hasMessageContaining("lora_dropout");
        assertThatThrownBy(() -> new LoraConfig(4, 8, -0.1, qv)).hasMessageContaining("lora_dropout");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, List.of())).hasMessageContaining("target_modules");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, null)).hasMessageContaining("target_modules");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, List.of("c_attn")))
                .hasMessageContaining("target_modules").hasMessageContaining("c_attn");
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, List.of("q_proj", "q_proj")))
                .hasMessageContaining("target_modules");
    }

    @Test
    void aSecondAdapterSetOrANonLoraFileIsRefused() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            model.addLora(QV, manager, 1).save(tmp, null);
            assertThatThrownBy(() -> model.addLora(QV, manager, 2)).hasMessageContaining("already has LoRA adapters");
            Files.writeString(tmp.resolve("adapter_config.json"),
                    Files.readString(tmp.resolve("adapter_config.json")).replace("\"LORA\"", "\"IA3\""));
            LlamaForCausalLM fresh = LlamaForCausalLM.load(fixture(), manager);
            assertThatThrownBy(() -> LoraAdapters.load(tmp, fresh, manager)).hasMessageContaining("peft_type");
        }
    }

    private static float nextTokenLoss(LlamaForCausalLM model, NDManager manager, boolean training) {
        try (NDManager step = manager.newSubManager()) {
            return lossArray(model, step, training).getFloat();
        }
    }

    /** Mean cross-entropy of each token predicting the next one. */
    private static NDArray lossArray(LlamaForCausalLM model, NDManager manager, boolean training) {
        int rows = TOKENS.length;
        int time = TOKENS[0].length;
        long[] inputs = new long[rows * (time - 1)];
        long[] targets = new long[rows * (time - 1)];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < time - 1; t++) {
                inputs[r * (time - 1) + t] = TOKENS[r][t];
                targets[r * (time - 1) + t] = TOKENS[r][t + 1];
            }
        }
        NDArray tokens = manager.create(inputs, new Shape(rows, time - 1));
        NDArray logits = model.forward(new ParameterStore(manager, false), new NDList(tokens, tokens.onesLike()), training).head();
        NDArray oneHot = manager.create(targets, new Shape(rows, time - 1)).oneHot(model.config().vocabSize());
        return logits.logSoftmax(2).mul(oneHot).sum().neg().div(inputs.length);
    }

    private static void randomise(LoraAdapters lora, long seed) {
        Random random = new Random(seed);
        for (Parameter p : lora.weights().values()) {
            float[] values = new float[Math.toIntExact(p.getArray().getShape().size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 0.1);
            }
            p.getArray().set(values);
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        return HfFixtures.maxDiff(a, b);
    }

    private static Path fixture() {
        return HfFixtures.dir("llama-gqa");
    }
}
