package io.prefloop.model.hf;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A LoRA adapter's settings, as PEFT's {@code LoraConfig} names them: rank {@code r},
 * {@code lora_alpha} (the update is scaled by alpha / r), {@code lora_dropout} (applied to the
 * input of A while training) and {@code target_modules}, HF module names of the Llama family's
 * linear projections ({@link #LLAMA_MODULES}).
 *
 * @throws IllegalArgumentException naming the field when a value is out of range
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules) {

    /** The linear projections of a Llama decoder layer that can carry an adapter. */
    public static final List<String> LLAMA_MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        if (r < 1) {
            throw new IllegalArgumentException("r must be >= 1, not " + r);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be a finite number > 0, not " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), not " + dropout);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("target_modules must name at least one of " + LLAMA_MODULES);
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String module : targetModules) {
            if (!LLAMA_MODULES.contains(module)) {
                throw new IllegalArgumentException("target_modules: unknown module '" + module
                        + "', the model's linear projections are " + LLAMA_MODULES);
            }
            if (!unique.add(module)) {
                throw new IllegalArgumentException("target_modules: '" + module + "' is named twice");
            }
        }
        targetModules = List.copyOf(targetModules);
    }

    /** PEFT's scaling of the adapter's output: lora_alpha / r. */
    public double scaling() {
        return alpha / r;
    }
}
