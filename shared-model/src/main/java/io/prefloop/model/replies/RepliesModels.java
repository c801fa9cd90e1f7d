package io.prefloop.model.replies;

import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerSpec;

/** The replies world's model sizes and checkpoint names. */
public final class RepliesModels {

    /** Base language model: about 140k parameters; the longest prompt + reply is 70 tokens. */
    public static final TransformerSpec SPEC = new TransformerSpec(ByteTokenizer.VOCAB_SIZE, 80, 64, 4, 2, 256);

    public static final String BASE_MODEL = "replies-base";
    public static final String DPO_MODEL = "replies-dpo";
    public static final String REWARD_MODEL = "replies-reward";

    private RepliesModels() {}
}
