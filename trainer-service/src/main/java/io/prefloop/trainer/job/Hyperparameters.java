package io.prefloop.trainer.job;

import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.FieldProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;

/**
 * The hyperparameters each method accepts, with defaults and bounds. A request names only what it
 * changes; anything unknown, non-finite or out of range is refused with the key named, so a typo
 * never trains silently with a default.
 */
public final class Hyperparameters {

    private record Spec(Object defaultValue, double min, boolean minExclusive, double max, Set<String> choices) {
        static Spec number(double defaultValue, double min, boolean minExclusive, double max) {
            return new Spec(defaultValue, min, minExclusive, max, Set.of());
        }

        static Spec integer(int defaultValue, int min, int max) {
            return new Spec(defaultValue, min, false, max, Set.of());
        }

        static Spec choice(String defaultValue, String... choices) {
            return new Spec(defaultValue, 0, false, 0, Set.of(choices));
        }

        boolean isInteger() {
            return defaultValue instanceof Integer;
        }
    }

    // max_grad_norm 1.0: diffusers' train_diffusion_dpo.py and transformers' TrainingArguments (TRL) both clip there;
    // the divergence guard's keys are described in docs/trainer-service.md ("Divergence guard")
    private static final Map<String, Spec> COMMON = Map.of(
            "learning_rate", Spec.number(1e-4, 0, true, 1),
            "batch_size", Spec.integer(16, 1, 4096),
            "steps", Spec.integer(300, 1, 1_000_000),
            "checkpoint_every", Spec.integer(50, 1, 1_000_000),
            "max_grad_norm", Spec.number(1.0, 0, false, 1_000_000),
            "warmup_steps", Spec.integer(0, 0, 1_000_000),
            "divergence_ratio", Spec.number(3, 0, false, 1_000_000),
            "divergence_patience", Spec.integer(5, 1, 1_000_000));

    // the diffusion methods warm up (diffusers' Diffusion-DPO script does) and watch model_mse / ref_mse, bound 2
    private static final Spec DIFFUSION_WARMUP = Spec.integer(10, 0, 1_000_000);
    private static final Spec DIFFUSION_RATIO = Spec.number(2, 0, false, 1_000_000);

    private static final Spec HELD_OUT = Spec.number(0.1, 0, false, 0.5);

    // β conventions: dpo as TRL (its default is 0.1; ours is the loop's 0.5); diffusion_dpo per sample-mean MSE,
    // diffusers' β/2 (docs/diffusion.md)
    private static final Map<Method, Map<String, Spec>> BY_METHOD = Map.of(
            // defaults made the committed shapes base (docs/diffusion.md); replies' base used 1200 × 32 at 3e-3
            Method.PRETRAIN, Map.of(
                    "world", Spec.choice("shapes", "shapes", "replies"),
                    "steps", Spec.integer(1100, 1, 1_000_000),
                    "batch_size", Spec.integer(96, 1, 4096),
                    "learning_rate", Spec.number(2e-3, 0, true, 1),
                    "wrong_colour_fraction", Spec.number(0.35, 0, false, 1),
                    "prompt_dropout", Spec.number(0.15, 0, false, 1),
                    "ema", Spec.number(0.995, 0, false, 0.99999),
                    // no clipping by default: these defaults must still make the committed base models
                    "max_grad_norm", Spec.number(0, 0, false, 1_000_000)),
            Method.REWARD_MODEL, Map.of(
                    "margin", Spec.number(0, 0, false, 100),
                    "center_rewards_coefficient", Spec.number(0, 0, false, 10),
                    "ties", Spec.choice("drop", "drop", "half"),
                    "heldout_fraction", HELD_OUT),
            // dpo and diffusion_dpo default to the closed loop's settings (docs/loop.md), chosen there by a
            // seed study: a round of online feedback is a few hundred comparisons, not an offline dataset
            Method.DPO, Map.of(
                    "steps", Spec.integer(40, 1, 1_000_000),
                    "learning_rate", Spec.number(3e-5, 0, true, 1),
                    "beta", Spec.number(0.5, 0, true, 10_000),
                    "loss_type", Spec.choice("sigmoid", "sigmoid", "hinge", "ipo", "robust"),
                    "label_smoothing", Spec.number(0, 0, false, 0.499),
                    "rpo_alpha", Spec.number(2, 0, false, 1_000),
                    "heldout_fraction", HELD_OUT),
            Method.DIFFUSION_DPO, Map.ofEntries(
                    Map.entry("steps", Spec.integer(150, 1, 1_000_000)),
                    Map.entry("batch_size", Spec.integer(32, 1, 4096)),
                    Map.entry("learning_rate", Spec.number(5e-5, 0, true, 1)),
                    Map.entry("beta", Spec.number(500, 0, true, 100_000)),
                    Map.entry("loss_type", Spec.choice("sigmoid", "sigmoid", "hinge", "ipo")),
                    Map.entry("sft_weight", Spec.number(500, 0, false, 1_000_000)),
                    Map.entry("heldout_fraction", HELD_OUT),
                    Map.entry("warmup_steps", DIFFUSION_WARMUP),
                    Map.entry("divergence_ratio", DIFFUSION_RATIO)),
            Method.DCO, Map.of(
                    "beta", Spec.number(1000, 0, true, 100_000),
                    "warmup_steps", DIFFUSION_WARMUP,
                    "divergence_ratio", DIFFUSION_RATIO),
            Method.D3PO, Map.of(
                    "beta", Spec.number(0.1, 0, true, 10_000),
                    "clip", Spec.number(0.1, 0, true, 1),
                    "heldout_fraction", HELD_OUT,
                    "warmup_steps", DIFFUSION_WARMUP,
                    "divergence_ratio", DIFFUSION_RATIO));

    private Hyperparameters() {}

    /** @return the full set for the method: the request's values over the defaults */
    public static Map<String, Object> resolve(Method method, Map<String, Object> requested) {
        Map<String, Spec> specs = new LinkedHashMap<>(COMMON);
        specs.putAll(BY_METHOD.get(method));
        List<FieldProblem> problems = new ArrayList<>();
        Map<String, Object> resolved = new LinkedHashMap<>();
        specs.forEach((name, spec) -> resolved.put(name, spec.defaultValue()));
        (requested == null ? Map.<String, Object>of() : requested).forEach((name, value) -> {
            Spec spec = specs.get(name);
            String field = "hyperparameters." + name;
            if (spec == null) {
                problems.add(new FieldProblem(field, "is not a hyperparameter of " + method.json()
                        + "; known: " + String.join(", ", specs.keySet())));
            } else if (!spec.choices().isEmpty()) {
                if (!(value instanceof String s) || !spec.choices().contains(s)) {
                    problems.add(new FieldProblem(field, "must be one of " + spec.choices()));
                } else {
                    resolved.put(name, s);
                }
            } else if (!(value instanceof Number n)) {
                problems.add(new FieldProblem(field, "must be a number"));
            } else {
                checkNumber(field, n, spec, problems).ifPresent(v -> resolved.put(name, v));
            }
        });
        if (resolved.get("divergence_ratio") instanceof Double ratio && ratio > 0 && ratio <= 1) {
            problems.add(new FieldProblem("hyperparameters.divergence_ratio",
                    "must be 0 (ratio watch off) or > 1: at or below 1 it trips on healthy training"));
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid hyperparameters",
                    problems.stream().map(p -> p.field() + ": " + p.message()).reduce((a, b) -> a + "; " + b)
                            .orElse(""), problems);
        }
        return resolved;
    }

    private static java.util.Optional<Object> checkNumber(String field, Number n, Spec spec, List<FieldProblem> problems) {
        double v = n.doubleValue();
        if (!Double.isFinite(v)) {
            problems.add(new FieldProblem(field, "must be finite"));
            return java.util.Optional.empty();
        }
        if (spec.isInteger() && v != Math.rint(v)) {
            problems.add(new FieldProblem(field, "must be an integer"));
            return java.util.Optional.empty();
        }
        boolean tooLow = spec.minExclusive() ? v <= spec.min() : v < spec.min();
        if (tooLow || v > spec.max()) {
            problems.add(new FieldProblem(field, "must be " + (spec.minExclusive() ? "> " : ">= ") + format(spec.min())
                    + " and <= " + format(spec.max())));
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(spec.isInteger() ? (Object) (int) v : (Object) v);
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
