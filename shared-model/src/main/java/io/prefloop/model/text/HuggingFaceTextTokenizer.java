package io.prefloop.model.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A HuggingFace {@code tokenizer.json} loaded through DJL's tokenizers (Rust library bundled in
 * the jar, so it works offline). Special tokens are named by the caller because models disagree
 * (GPT-2 uses {@code <|endoftext|>} for all three). DJL does not expose the vocabulary size, so it
 * is read from the file: the largest id in the model's vocabulary or the added tokens, plus one.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer, AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final int bos;
    private final int eos;
    private final int pad;

    private HuggingFaceTextTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize, int bos, int eos, int pad) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    public static HuggingFaceTextTokenizer load(Path tokenizerJson, String bosToken, String eosToken, String padToken) {
        try {
            Map<String, Integer> ids = tokenIds(Files.readAllBytes(tokenizerJson));
            int vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "false"));
            return new HuggingFaceTextTokenizer(tokenizer, vocabSize,
                    require(ids, bosToken), require(ids, eosToken), require(ids, padToken));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        }
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] kept = java.util.Arrays.stream(ids).filter(id -> id != bos && id != eos && id != pad)
                .asLongStream().toArray();
        return tokenizer.decode(kept, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static Map<String, Integer> tokenIds(byte[] json) {
        JsonNode root = JsonMapper.builder().build().readTree(json);
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.path("content").asString(), added.path("id").asInt());
        }
        return ids;
    }

    private static int require(Map<String, Integer> ids, String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer.json has no token " + token);
        }
        return id;
    }
}
