package io.prefloop.model.text;

/**
 * One sampled completion.
 *
 * @param text the decoded completion, without EOS
 * @param tokens the sampled ids, EOS included when it was sampled
 * @param finished true when the model emitted EOS within max_tokens (finish_reason "stop", else "length")
 */
public record Generation(String text, int[] tokens, boolean finished) {

    public String finishReason() {
        return finished ? "stop" : "length";
    }
}
