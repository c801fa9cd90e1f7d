package io.prefloop.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * LoRA adapters (Hu et al. 2021) on a {@link LlamaForCausalLM}'s linear projections, with PEFT's
 * conventions: for a targeted weight W (out × in) a matrix A (r × in, initialised kaiming-uniform
 * with a = √5, i.e. uniform in ±1/√in) and B (out × r, zeros); the projection becomes
 * {@code x·Wᵀ (+ bias) + scaling · dropout(x)·Aᵀ·Bᵀ} with scaling = lora_alpha / r.
 *
 * <p>The block's parameters are A and B only, named {@code <module path>.lora_A.weight} /
 * {@code .lora_B.weight} (e.g. {@code model.layers.0.self_attn.q_proj.lora_A.weight}); hand the
 * block to an optimizer to train them. The base model's weights are frozen when the adapters are
 * added. Saved as PEFT saves a {@code PeftModelForCausalLM}: {@value #CONFIG_FILE} and
 * {@value #WEIGHTS_FILE} with keys {@code base_model.model.<module path>.lora_A.weight}.
 */
public final class LoraAdapters extends AbstractBlock {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** PeftModel.base_model (LoraModel) .model (the wrapped LlamaForCausalLM). */
    public static final String PEFT_PREFIX = "base_model.model.";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final LlamaForCausalLM model;
    private final LoraConfig config;
    private final float scaling;
    /** module path (model.layers.0.self_attn.q_proj) → {A, B}. */
    private final Map<String, Parameter[]> modules = new LinkedHashMap<>();
    private final Map<String, Parameter> weights = new LinkedHashMap<>();

    private LoraAdapters(LlamaForCausalLM model, LoraConfig config) {
        this.model = model;
        this.config = config;
        this.scaling = (float) config.scaling();
    }

    /** Fresh adapters as PEFT initialises them (A from {@code seed}, B zero). */
    static LoraAdapters create(LlamaForCausalLM model, LoraConfig config, NDManager manager, long seed) {
        LoraAdapters adapters = new LoraAdapters(model, config);
        Random random = new Random(seed);
        for (String module : targetPaths(model.config(), config)) {
            Shape w = model.weights().get(module + ".weight").getArray().getShape();
            long out = w.get(0);
            long in = w.get(1);
            // kaiming_uniform_(a=sqrt(5)): gain = sqrt(2 / (1 + 5)), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] a = new float[Math.toIntExact(config.r() * in)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (random.nextFloat() * 2 - 1) * bound;
            }
            adapters.add(module, manager.create(a, new Shape(config.r(), in)),
                    manager.zeros(new Shape(out, config.r()), DataType.FLOAT32), manager);
        }
        return adapters;
    }

    /** The module paths an adapter config targets, layer by layer. */
    static List<String> targetPaths(LlamaConfig c, LoraConfig lora) {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            for (String module : LoraConfig.LLAMA_MODULES) {
                if (lora.targetModules().contains(module)) {
                    String parent = List.of("q_proj", "k_proj", "v_proj", "o_proj").contains(module) ? "self_attn." : "mlp.";
                    paths.add("model.layers." + i + "." + parent + module);
                }
            }
        }
        return paths;
    }

    private void add(String module, NDArray a, NDArray b, NDManager manager) {
        Parameter[] pair = new Parameter[2];
        NDArray[] arrays = {a, b};
        String[] names = {module + ".lora_A.weight", module + ".lora_B.weight"};
        for (int k = 0; k < 2; k++) {
            NDArray array = arrays[k].getDataType() == DataType.FLOAT32 ? arrays[k] : arrays[k].toType(DataType.FLOAT32, false);
            array.attach(manager);
            array.setRequiresGradient(true);
            Parameter parameter = Parameter.builder().setName(names[k]).setType(Parameter.Type.WEIGHT).build();
            parameter.setArray(array);
            pair[k] = addParameter(parameter);
            weights.put(names[k], pair[k]);
        }
        modules.put(module, pair);
    }

    public LoraConfig config() {
        return config;
    }

    /** lora_alpha / r. */
    public float scaling() {
        return scaling;
    }

    /** A and B by name ({@code model.layers.0.self_attn.q_proj.lora_A.weight}, ...), in layer order. */
    public Map<String, Parameter> weights() {
        return Collections.unmodifiableMap(weights);
    }

    boolean targets(String module) {
        return modules.containsKey(module);
    }

    /** scaling · dropout(x)·Aᵀ·Bᵀ for the projection at {@code module}. */
    NDArray delta(ParameterStore store, String module, NDArray x, boolean training) {
        Parameter[] pair = modules.get(module);
        NDArray a = store.getValue(pair[0], x.getDevice(), training);
        NDArray b = store.getValue(pair[1], x.getDevice(), training);
        NDArray input = config.dropout() > 0 && training
                ? Dropout.dropout(x, (float) config.dropout(), true).head()
                : x;
        return Linear.linear(Linear.linear(input, a).head(), b).head().mul(scaling);
    }

    /** The targeted weights merged, W + scaling · B·A, by HF name, on {@code manager}. */
    public Map<String, NDArray> mergedWeights(NDManager manager) {
        Map<String, NDArray> merged = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter[]> e : modules.entrySet()) {
            NDArray w = model.weights().get(e.getKey() + ".weight").getArray();
            NDArray a = e.getValue()[0].getArray();
            NDArray b = e.getValue()[1].getArray();
            NDArray sum = w.add(b.matMul(a).mul(scaling));
            sum.attach(manager);
            merged.put(e.getKey() + ".weight", sum);
        }
        return merged;
    }

    /**
     * Writes {@code dir}/{@value #CONFIG_FILE} and {@code dir}/{@value #WEIGHTS_FILE} (F32) as PEFT's
     * {@code save_pretrained} does for a LlamaForCausalLM.
     *
     * @param baseModelNameOrPath recorded as {@code base_model_name_or_path} (may be null)
     */
    public void save(Path dir, String baseModelNameOrPath) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("peft_type", "LORA");
        json.put("task_type", "CAUSAL_LM");
        json.put("r", config.r());
        if (config.alpha() == Math.rint(config.alpha()) && Math.abs(config.alpha()) < 1e15) {
            json.put("lora_alpha", (long) config.alpha()); // PEFT's lora_alpha is an int
        } else {
            json.put("lora_alpha", config.alpha());
        }
        json.put("lora_dropout", config.dropout());
        var targets = json.putArray("target_modules");
        config.targetModules().forEach(targets::add);
        json.put("bias", "none");
        if (baseModelNameOrPath == null) {
            json.putNull("base_model_name_or_path");
        } else {
            json.put("base_model_name_or_path", baseModelNameOrPath);
        }
        json.put("fan_in_fan_out", false);
        json.put("inference_mode", true);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : weights.entrySet()) {
            NDArray array = e.getValue().getArray();
            tensors.put(PEFT_PREFIX + e.getKey(), array.toFloatArray());
            shapes.put(PEFT_PREFIX + e.getKey(), array.getShape().getShape());
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG_FILE), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HfWeights.write(dir.resolve(WEIGHTS_FILE), tensors, shapes, "F32");
    }

    /**
     * Reads adapters that PEFT (or {@link #save}) wrote and puts them on {@code model}, whose base
     * weights are then frozen. Refuses a non-LoRA config, a bias other than "none", fan_in_fan_out,
     * and missing, unexpected or misshapen tensors.
     */
    public static LoraAdapters load(Path dir, LlamaForCausalLM model, NDManager manager) {
        JsonNode json;
        try {
            json = MAPPER.readTree(Files.readString(dir.resolve(CONFIG_FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String source = dir.resolve(CONFIG_FILE).toString();
        if (!"LORA".equals(text(json, "peft_type"))) {
            throw new IllegalArgumentException(source + ": peft_type is " + text(json, "peft_type") + ", not LORA");
        }
        String bias = json.has("bias") ? text(json, "bias") : "none";
        if (!"none".equals(bias)) {
            throw new IllegalArgumentException(source + ": bias '" + bias + "' is not supported, only \"none\"");
        }
        if (json.has("fan_in_fan_out") && json.get("fan_in_fan_out").asBoolean()) {
            throw new IllegalArgumentException(source + ": fan_in_fan_out is not supported");
        }
        JsonNode targets = json.get("target_modules");
        if (targets == null || !targets.isArray()) {
            throw new IllegalArgumentException(source + ": target_modules must be a list of module names");
        }
        List<String> names = new ArrayList<>();
        targets.forEach(t -> names.add(t.asString()));
        LoraConfig config = new LoraConfig(json.path("r").asInt(0), json.path("lora_alpha").asDouble(Double.NaN),
                json.path("lora_dropout").asDouble(0), names);
        LoraAdapters adapters = new LoraAdapters(model, config);
        try (HfWeights file = HfWeights.open(dir.resolve(WEIGHTS_FILE))) {
            Set<String> unexpected = new TreeSet<>(file.names());
            for (String module : targetPaths(model.config(), config)) {
                Shape w = model.weights().get(module + ".weight").getArray().getShape();
                Shape[] want = {new Shape(config.r(), w.get(1)), new Shape(w.get(0), config.r())};
                String[] keys = {PEFT_PREFIX + module + ".lora_A.weight", PEFT_PREFIX + module + ".lora_B.weight"};
                NDArray[] arrays = new NDArray[2];
                for (int k = 0; k < 2; k++) {
                    if (!file.contains(keys[k])) {
                        throw new IllegalArgumentException(dir + ": missing adapter weight '" + keys[k] + "'");
                    }
                    arrays[k] = file.get(manager, keys[k]);
                    if (!arrays[k].getShape().equals(want[k])) {
                        throw new IllegalArgumentException(dir + ": adapter weight '" + keys[k] + "' has shape "
                                + arrays[k].getShape() + ", expected " + want[k]);
                    }
                    unexpected.remove(keys[k]);
                }
                adapters.add(module, arrays[0], arrays[1], manager);
            }
            if (!unexpected.isEmpty()) {
                throw new IllegalArgumentException(dir + ": adapter weights the config does not target: " + unexpected);
            }
        }
        model.attach(adapters);
        return adapters;
    }

    private static String text(JsonNode json, String key) {
        JsonNode node = json.get(key);
        return node == null || node.isNull() ? null : node.asString();
    }

    /**
     * Writes a plain model directory with the adapters merged into the weights (W' = W + scaling ·
     * B·A, F32, HF's names): {@code config.json} copied from {@code baseDir}, the weights to
     * {@code outDir}/model.safetensors. It loads with {@link LlamaForCausalLM#load(Path, NDManager)}.
     */
    public void exportMerged(Path baseDir, Path outDir) {
        try {
            Files.createDirectories(outDir);
            Files.copy(baseDir.resolve("config.json"), outDir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> merged = mergedWeights(scratch);
            for (Map.Entry<String, Parameter> e : model.weights().entrySet()) {
                NDArray array = merged.getOrDefault(e.getKey(), e.getValue().getArray());
                tensors.put(e.getKey(), array.toFloatArray());
                shapes.put(e.getKey(), array.getShape().getShape());
            }
        }
        HfWeights.write(outDir.resolve(HfWeights.SINGLE_FILE), tensors, shapes, "F32");
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("LoRA adapters run inside their LlamaForCausalLM's forward");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("LoRA adapters run inside their LlamaForCausalLM's forward");
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // A and B are created with their values
    }
}
