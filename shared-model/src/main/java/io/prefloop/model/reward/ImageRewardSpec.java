package io.prefloop.model.reward;

import io.prefloop.model.text.TransformerSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes of the image reward model; the architecture spec in its checkpoint.
 *
 * @param imageSize height and width of the square RGB input
 * @param channels conv widths: the first layer keeps the resolution, each later one halves it
 * @param prompt the prompt encoder (a small byte-level transformer)
 */
public record ImageRewardSpec(int imageSize, int[] channels, TransformerSpec prompt) {

    public ImageRewardSpec {
        if (imageSize < 4 || channels.length < 2) {
            throw new IllegalArgumentException("need an image of at least 4 px and at least two conv layers");
        }
        channels = channels.clone();
    }

    /** For the 16×16 shapes world: about 60k parameters. */
    public static ImageRewardSpec shapes(int vocabSize) {
        return new ImageRewardSpec(16, new int[] {16, 32, 64}, new TransformerSpec(vocabSize, 32, 32, 2, 1, 64));
    }

    @Override
    public int[] channels() {
        return channels.clone();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", "image_reward_convnet");
        map.put("image_size", imageSize);
        map.put("channels", java.util.Arrays.stream(channels).boxed().toList());
        map.put("prompt_encoder", prompt.toMap());
        return map;
    }

    @SuppressWarnings("unchecked")
    public static ImageRewardSpec fromMap(Map<String, ?> map) {
        int[] channels = ((java.util.List<Number>) map.get("channels")).stream().mapToInt(Number::intValue).toArray();
        return new ImageRewardSpec(((Number) map.get("image_size")).intValue(), channels,
                TransformerSpec.fromMap((Map<String, ?>) map.get("prompt_encoder")));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRewardSpec s && s.imageSize == imageSize
                && java.util.Arrays.equals(s.channels, channels) && s.prompt.equals(prompt);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * imageSize + java.util.Arrays.hashCode(channels)) + prompt.hashCode();
    }

    @Override
    public String toString() {
        return "ImageRewardSpec[imageSize=" + imageSize + ", channels=" + java.util.Arrays.toString(channels)
                + ", prompt=" + prompt + "]";
    }
}
