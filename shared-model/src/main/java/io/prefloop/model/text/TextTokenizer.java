package io.prefloop.model.text;

/**
 * Turns text into token ids and back. Completions end with {@link #eosId()}; {@link #padId()} only
 * fills batches and is always masked out.
 */
public interface TextTokenizer {

    int[] encode(String text);

    /** Decodes ids, skipping the special tokens (BOS, EOS, PAD). */
    String decode(int[] ids);

    int vocabSize();

    int bosId();

    int eosId();

    int padId();
}
