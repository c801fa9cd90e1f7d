package io.prefloop.model.text;

import java.util.Arrays;

/**
 * A prompt and a completion as token ids: the prompt starts with BOS, the completion ends with EOS
 * (as TRL appends EOS to chosen and rejected), so an empty completion still has one token to score.
 */
public record PromptCompletion(int[] prompt, int[] completion) {

    public PromptCompletion {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token (BOS)");
        }
    }

    public static PromptCompletion encode(TextTokenizer tokenizer, String prompt, String completion) {
        return new PromptCompletion(withBos(tokenizer, prompt), withEos(tokenizer, completion));
    }

    public static int[] withBos(TextTokenizer tokenizer, String prompt) {
        int[] body = tokenizer.encode(prompt);
        int[] ids = new int[body.length + 1];
        ids[0] = tokenizer.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    public static int[] withEos(TextTokenizer tokenizer, String completion) {
        int[] body = tokenizer.encode(completion);
        int[] ids = Arrays.copyOf(body, body.length + 1);
        ids[body.length] = tokenizer.eosId();
        return ids;
    }

    public int length() {
        return prompt.length + completion.length;
    }

    /**
     * Fits the pair into maxLength tokens the way TRL does: first drop tokens from the start of the
     * prompt (keeping at least one, which predicts the first completion token), then from the end of
     * the completion.
     */
    public PromptCompletion truncate(int maxLength) {
        if (length() <= maxLength) {
            return this;
        }
        int keepPrompt = Math.max(1, Math.min(prompt.length, maxLength - completion.length));
        int[] newPrompt = Arrays.copyOfRange(prompt, prompt.length - keepPrompt, prompt.length);
        int keepCompletion = Math.min(completion.length, maxLength - keepPrompt);
        return new PromptCompletion(newPrompt, Arrays.copyOf(completion, keepCompletion));
    }
}
