package io.prefloop.model.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.text.LastToken;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TokenBatch;
import io.prefloop.model.text.TransformerBody;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.TransformerSpec;
import java.util.List;

/**
 * A transformer with a scalar head on the last real token of prompt + completion (InstructGPT's
 * reward model; HF's AutoModelForSequenceClassification with one label). Inputs: tokens (B, T)
 * and mask (B, T), right-padded. Output: rewards (B).
 */
public final class TextRewardModel extends AbstractBlock {

    private final TransformerBody body;
    private final Linear head;

    public TextRewardModel(TransformerSpec spec) {
        body = addChildBlock("body", new TransformerBody(spec));
        head = addChildBlock("reward_head", Linear.builder().setUnits(1).build());
    }

    public static TextRewardModel create(TransformerSpec spec, NDManager manager) {
        TextRewardModel model = new TextRewardModel(spec);
        model.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, spec.maxLength()), new Shape(1, spec.maxLength()));
        return model;
    }

    public TransformerSpec spec() {
        return body.spec();
    }

    /**
     * A reward model whose transformer starts from a language model's (InstructGPT starts its
     * reward model from the SFT model); the scalar head starts fresh.
     */
    public static TextRewardModel fromLanguageModel(TransformerLm lm, NDManager manager) {
        TextRewardModel model = create(lm.spec(), manager);
        BlockWeights.load(model.body, BlockWeights.of(lm.body()));
        return model;
    }

    /** Inputs for scoring completions of prompts: BOS + prompt + completion + EOS, right-padded. */
    public NDList inputs(NDManager manager, TextTokenizer tokenizer, List<String> prompts, List<String> completions) {
        List<PromptCompletion> rows = new java.util.ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(PromptCompletion.encode(tokenizer, prompts.get(i), completions.get(i)));
        }
        return TokenBatch.of(manager, rows, tokenizer.padId(), spec().maxLength()).inputs();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = body.forward(store, inputs, training).head();
        NDArray last = LastToken.select(hidden, inputs.get(1));
        return new NDList(head.forward(store, new NDList(last), training).head().squeeze(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), spec().dModel()));
    }
}
