package io.prefloop.model.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level tokenizer: ids 0–255 are the UTF-8 bytes of the text, then BOS, EOS and PAD. It needs
 * no vocabulary file, so every checkpoint of the replies world can be read without one.
 */
public final class ByteTokenizer implements TextTokenizer {

    public static final int BOS = 256;
    public static final int EOS = 257;
    public static final int PAD = 258;
    public static final int VOCAB_SIZE = 259;

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xff;
        }
        return ids;
    }

    /**
     * The text of the byte ids; special ids and byte 0 are left out. A model samples byte 0 now and
     * then; no reply needs a NUL character, and PostgreSQL's text (where candidates are stored)
     * cannot hold one.
     */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id > 0 && id < 256) {
                out.write(id);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int padId() {
        return PAD;
    }
}
