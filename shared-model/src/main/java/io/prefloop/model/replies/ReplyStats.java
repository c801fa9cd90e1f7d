package io.prefloop.model.replies;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shares of sampled replies, as the oracle judges them.
 *
 * @param preferredRate share that are well-formed and in the preferred style
 */
public record ReplyStats(int samples, double wellFormedRate, double correctRate, double preferredRate,
        Map<Style, Double> styleRates) {

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("samples", samples);
        map.put("well_formed_rate", wellFormedRate);
        map.put("correct_rate", correctRate);
        map.put("preferred_style_rate", preferredRate);
        styleRates.forEach((s, r) -> map.put(s.name().toLowerCase(java.util.Locale.ROOT) + "_rate", r));
        return map;
    }

    /** Accumulates judgements. */
    public static final class Counter {
        private final Style preferred;
        private int samples;
        private int wellFormed;
        private int correct;
        private final EnumMap<Style, Integer> styles = new EnumMap<>(Style.class);

        public Counter(Style preferred) {
            this.preferred = preferred;
        }

        public void add(ReplyJudgement j) {
            samples++;
            if (j.wellFormed()) {
                wellFormed++;
                styles.merge(j.style(), 1, Integer::sum);
            }
            if (j.correct()) {
                correct++;
            }
        }

        public ReplyStats stats() {
            Map<Style, Double> rates = new EnumMap<>(Style.class);
            for (Style s : Style.values()) {
                rates.put(s, styles.getOrDefault(s, 0) / (double) samples);
            }
            return new ReplyStats(samples, wellFormed / (double) samples, correct / (double) samples,
                    rates.get(preferred), rates);
        }
    }
}
