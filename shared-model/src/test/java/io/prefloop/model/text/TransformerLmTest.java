package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class TransformerLmTest {

    private static final TransformerSpec SPEC = new TransformerSpec(ByteTokenizer.VOCAB_SIZE, 16, 16, 2, 2, 32);

    @Test
    void logitsHaveVocabularyWidth() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            NDArray tokens = manager.create(new long[] {1, 2, 3, 4, 5, 6}).reshape(2, 3);
            NDArray mask = manager.ones(new ai.djl.ndarray.types.Shape(2, 3));
            NDArray logits = lm.forward(new ParameterStore(manager, false), new NDList(tokens, mask), false).head();
            assertThat(logits.getShape().getShape()).containsExactly(2, 3, ByteTokenizer.VOCAB_SIZE);
        }
    }

    @Test
    void causal_laterTokensDoNotChangeEarlierLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray mask = manager.ones(new ai.djl.ndarray.types.Shape(1, 4));
            NDArray a = lm.forward(store, new NDList(manager.create(new long[] {7, 8, 9, 10}).reshape(1, 4), mask), false).head();
            NDArray b = lm.forward(store, new NDList(manager.create(new long[] {7, 8, 200, 201}).reshape(1, 4), mask), false).head();
            assertThat(a.get(":, :2, :").allClose(b.get(":, :2, :"), 1e-5, 1e-5, false)).isTrue();
            assertThat(a.get(":, 2:, :").allClose(b.get(":, 2:, :"), 1e-5, 1e-5, false)).isFalse();
        }
    }

    @Test
    void leftPaddingDoesNotChangeTheRealTokensLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray plain = lm.forward(store, new NDList(
                    manager.create(new long[] {5, 6, 7}).reshape(1, 3),
                    manager.create(new float[] {1, 1, 1}).reshape(1, 3)), false).head();
            NDArray padded = lm.forward(store, new NDList(
                    manager.create(new long[] {ByteTokenizer.PAD, ByteTokenizer.PAD, 5, 6, 7}).reshape(1, 5),
                    manager.create(new float[] {0, 0, 1, 1, 1}).reshape(1, 5)), false).head();
            assertThat(padded.get(":, 2:, :").allClose(plain, 1e-4, 1e-4, false)).isTrue();
        }
    }

    @Test
    void specRoundTripsThroughAMap() {
        assertThat(TransformerSpec.fromMap(SPEC.toMap())).isEqualTo(SPEC);
    }
}
