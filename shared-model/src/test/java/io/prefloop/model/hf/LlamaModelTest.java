package io.prefloop.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.checkpoint.Safetensors;
import io.prefloop.model.text.AttentionMask;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Golden tests against HuggingFace's Llama / Qwen2 forward pass: the fixtures under
 * {@code src/test/resources/hf/} come from {@code make_llama_fixture.py}, a plain-PyTorch port of
 * transformers' modelling code with seeded random weights.
 */
class LlamaModelTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "qwen2-tied"})
    void logitsMatchHuggingFace(String fixture) {
        Map<String, Object> expected = json(fixture + "/expected.json");
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = load(fixture, manager);
            int[][] tokens = intRows(expected.get("token_ids"));
            NDArray logits = model.logits(manager, tokens);
            assertThat(logits.getShape()).isEqualTo(new Shape(longs(expected.get("logits_shape"))));
            float[] actual = logits.toFloatArray();
            double[] want = doubles(expected.get("logits"));
            double maxDiff = 0;
            for (int i = 0; i < want.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - want[i]));
            }
            System.out.printf("%s: max |logit - HF| = %.3g over %d logits%n", fixture, maxDiff, want.length);
            assertThat(maxDiff).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "qwen2-tied"})
    void greedyContinuationMatchesHuggingFace(String fixture) {
        Map<String, Object> expected = json(fixture + "/expected.json");
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = load(fixture, manager);
            int[] prompt = intRow(expected.get("prompt"));
            int[] want = intRow(expected.get("greedy"));
            assertThat(model.greedy(manager, prompt, want.length)).containsExactly(want);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "qwen2-tied"})
    void cachedStepsGiveTheLogitsOfAFullForwardPass(String fixture) {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = load(fixture, manager);
            int[] ids = {1, 40, 41, 42, 7, 9, 200, 3};
            float[] full = model.logits(manager, new int[][] {ids}).get(0).toFloatArray(); // (T, V)
            int vocab = model.config().vocabSize();
            ParameterStore store = new ParameterStore(manager, false);
            try (LlamaKvCache cache = new LlamaKvCache(manager, model.config().numHiddenLayers())) {
                int prefix = 3;
                NDArray ones = manager.ones(new Shape(1, prefix), DataType.INT64);
                long[] head = {ids[0], ids[1], ids[2]};
                float[] last = model.nextTokenLogits(store, manager.create(head, new Shape(1, prefix)),
                        AttentionMask.positions(ones),
                        AttentionMask.causalBias(ones), cache).toFloatArray();
                assertClose(last, full, (prefix - 1) * vocab);
                for (int t = prefix; t < ids.length; t++) {
                    float[] step = model.nextTokenLogits(store, manager.create(new long[] {ids[t]}, new Shape(1, 1)),
                            manager.create(new long[] {t}, new Shape(1, 1)),
                            manager.zeros(new Shape(1, 1, 1, t + 1)), cache).toFloatArray();
                    assertClose(step, full, t * vocab);
                }
                assertThat(cache.length()).isEqualTo(ids.length);
            }
        }
    }

    @Test
    void leftPaddingDoesNotChangeARowsLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = load("llama-gqa", manager);
            int[] ids = {1, 17, 42, 99, 7};
            float[] alone = model.logits(manager, new int[][] {ids}).toFloatArray();
            NDArray tokens = manager.create(new long[] {0, 0, 1, 17, 42, 99, 7}, new Shape(1, 7));
            NDArray mask = manager.create(new long[] {0, 0, 1, 1, 1, 1, 1}, new Shape(1, 7));
            NDArray padded = model.forward(new ParameterStore(manager, false), new NDList(tokens, mask), false).head();
            float[] real = padded.get("0, 2:, :").toFloatArray();
            for (int i = 0; i < alone.length; i++) {
                assertThat((double) Math.abs(real[i] - alone[i])).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    @Test
    void gradientsReachTheWeightsThroughTheBlockForward() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = load("qwen2-tied", manager);
            model.weights().values().forEach(p -> p.getArray().setRequiresGradient(true));
            NDArray tokens = manager.create(new long[] {1, 33, 7, 190}, new Shape(1, 4));
            NDArray mask = tokens.onesLike();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(new ParameterStore(manager, false), new NDList(tokens, mask), true).head();
                collector.backward(logits.logSoftmax(2).get(":, :, 5").sum());
            }
            for (String name : List.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.bias",
                    "model.layers.1.self_attn.k_proj.weight", "model.layers.1.mlp.down_proj.weight", "model.norm.weight")) {
                assertThat(model.weights().get(name).getArray().getGradient().abs().sum().getFloat()).as(name).isGreaterThan(0f);
            }
        }
    }

    @Test
    void configOfTheFixturesIsReadAsHfWouldUseIt() {
        LlamaConfig llama = LlamaConfig.fromMap(json("llama-gqa/config.json"));
        assertThat(llama.groups()).isEqualTo(2);
        assertThat(llama.headDim()).isEqualTo(16);
        assertThat(llama.qkvBias()).isFalse();
        LlamaConfig qwen = LlamaConfig.fromMap(json("qwen2-tied/config.json"));
        assertThat(qwen.headDim()).isEqualTo(12);
        assertThat(qwen.qkvBias()).isTrue();
        assertThat(qwen.outputBias()).isFalse();
        assertThat(qwen.tieWordEmbeddings()).isTrue();
        assertThat(qwen.ropeScalingFactor()).isEqualTo(2.0);
        assertThat(LlamaForCausalLM.expectedShapes(qwen)).doesNotContainKey("lm_head.weight")
                .containsEntry("model.layers.1.self_attn.k_proj.bias", new Shape(24))
                .doesNotContainKey("model.layers.1.self_attn.o_proj.bias");
    }

    @Test
    void unsupportedRopeScalingIsRefusedByName() {
        Map<String, Object> config = json("llama-gqa/config.json");
        config.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0));
        assertThatThrownBy(() -> LlamaConfig.fromMap(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rope_scaling")
                .hasMessageContaining("llama3");
        config.put("rope_scaling", Map.of("type", "dynamic", "factor", 2.0));
        assertThatThrownBy(() -> LlamaConfig.fromMap(config)).hasMessageContaining("'dynamic'");
    }

    @Test
    void missingRequiredKeyIsRefusedByName() {
        for (String key : LlamaConfig.REQUIRED_KEYS) {
            Map<String, Object> config = json("llama-gqa/config.json");
            config.remove(key);
            assertThatThrownBy(() -> LlamaConfig.fromMap(config))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + key + "'");
        }
    }

    @Test
    void otherArchitecturesAndActivationsAreRefused() {
        Map<String, Object> config = json("llama-gqa/config.json");
        config.put("model_type", "qwen3");
        assertThatThrownBy(() -> LlamaConfig.fromMap(config)).hasMessageContaining("'qwen3'");
        config.put("model_type", "llama");
        config.put("hidden_act", "gelu");
        assertThatThrownBy(() -> LlamaConfig.fromMap(config)).hasMessageContaining("'gelu'");
    }

    @Test
    void missingOrMisshapenWeightsAreRefusedByName() {
        LlamaConfig config = LlamaConfig.fromMap(json("llama-gqa/config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = weights("llama-gqa", manager);
            Map<String, NDArray> withoutHead = new HashMap<>(weights);
            withoutHead.remove("lm_head.weight");
            assertThatThrownBy(() -> LlamaForCausalLM.load(config, withoutHead::get, manager))
                    .hasMessageContaining("'lm_head.weight'");
            Map<String, NDArray> wrong = new HashMap<>(weights);
            wrong.put("model.layers.0.self_attn.k_proj.weight", manager.zeros(new Shape(64, 64)));
            assertThatThrownBy(() -> LlamaForCausalLM.load(config, wrong::get, manager))
                    .hasMessageContaining("'model.layers.0.self_attn.k_proj.weight'")
                    .hasMessageContaining("(32, 64)");
            assertThat(LlamaForCausalLM.unreadWeights(config, weights.keySet())).isEmpty();
            assertThat(LlamaForCausalLM.unreadWeights(config, Set.of("model.layers.0.self_attn.o_proj.bias")))
                    .containsExactly("model.layers.0.self_attn.o_proj.bias");
        }
    }

    // ---- fixtures ----

    /** The fixture's directory read as HuggingFace writes it: config.json and model.safetensors. */
    private static LlamaForCausalLM load(String fixture, NDManager manager) {
        return LlamaForCausalLM.load(HfFixtures.dir(fixture), manager);
    }

    private static Map<String, NDArray> weights(String fixture, NDManager manager) {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (NDArray array : Safetensors.decode(manager, bytes(fixture + "/model.safetensors"))) {
            byName.put(array.getName(), array);
        }
        return byName;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String resource) {
        return new HashMap<>(JSON.readValue(bytes(resource), Map.class));
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = LlamaModelTest.class.getResourceAsStream("/hf/" + resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertClose(float[] row, float[] full, int offset) {
        for (int v = 0; v < row.length; v++) {
            assertThat((double) Math.abs(row[v] - full[offset + v])).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    private static int[][] intRows(Object rows) {
        List<?> list = (List<?>) rows;
        int[][] out = new int[list.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = intRow(list.get(i));
        }
        return out;
    }

    private static int[] intRow(Object row) {
        return ((List<?>) row).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    private static long[] longs(Object row) {
        return ((List<?>) row).stream().mapToLong(o -> ((Number) o).longValue()).toArray();
    }

    private static double[] doubles(Object row) {
        return ((List<?>) row).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }
}
