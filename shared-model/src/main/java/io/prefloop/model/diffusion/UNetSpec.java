package io.prefloop.model.diffusion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sizes of a {@link UNet} and of its noise schedule: stored as the checkpoint manifest's
 * {@code architecture}, so a larger configuration needs no code change.
 *
 * @param widths channels per resolution level; each level after the first halves H and W
 * @param resBlocks residual blocks per level (down path; the up path mirrors it)
 * @param attention self-attention in the middle, at the lowest resolution
 * @param vocabulary prompt words, starting with {@code <pad>}, {@code <unk>}
 */
public record UNetSpec(
        int imageSize,
        int channels,
        List<Integer> widths,
        int resBlocks,
        boolean attention,
        int attentionHeads,
        int groups,
        int embedDim,
        List<String> vocabulary,
        int maxPromptTokens,
        String schedule,
        int trainTimesteps) {

    public static final String FAMILY = "unet-eps";

    public UNetSpec {
        widths = List.copyOf(widths);
        vocabulary = List.copyOf(vocabulary);
        int down = 1 << (widths.size() - 1);
        if (imageSize % down != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " not divisible by " + down);
        }
    }

    public NoiseSchedule noiseSchedule() {
        return NoiseSchedule.of(NoiseSchedule.Kind.parse(schedule), trainTimesteps);
    }

    public PromptTokenizer tokenizer() {
        return new PromptTokenizer(vocabulary, maxPromptTokens);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", FAMILY);
        m.put("image_size", imageSize);
        m.put("channels", channels);
        m.put("widths", widths);
        m.put("res_blocks", resBlocks);
        m.put("attention", attention);
        m.put("attention_heads", attentionHeads);
        m.put("groups", groups);
        m.put("embed_dim", embedDim);
        m.put("vocabulary", vocabulary);
        m.put("max_prompt_tokens", maxPromptTokens);
        m.put("schedule", schedule);
        m.put("train_timesteps", trainTimesteps);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static UNetSpec fromMap(Map<String, Object> m) {
        if (!FAMILY.equals(m.get("family"))) {
            throw new IllegalArgumentException("not a " + FAMILY + " architecture: " + m.get("family"));
        }
        return new UNetSpec(
                num(m, "image_size"), num(m, "channels"),
                ((List<Number>) m.get("widths")).stream().map(Number::intValue).toList(),
                num(m, "res_blocks"), (Boolean) m.get("attention"), num(m, "attention_heads"),
                num(m, "groups"), num(m, "embed_dim"), (List<String>) m.get("vocabulary"),
                num(m, "max_prompt_tokens"), (String) m.get("schedule"), num(m, "train_timesteps"));
    }

    private static int num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("architecture lacks " + key);
        }
        return n.intValue();
    }
}
