package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelCheckpointsTest {

    @TempDir
    Path dir;

    @Test
    void aPublishedModelLoadsBackWithTheSameSpecAndOutputs() {
        ByteTokenizer tok = new ByteTokenizer();
        TransformerSpec spec = new TransformerSpec(tok.vocabSize(), 16, 16, 2, 2, 32);
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        CheckpointId id = new CheckpointId("replies-base", "v0001");
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm model = TransformerLm.create(spec, manager);
            Manifest written = LanguageModelCheckpoints.publish(store, Manifest.of(id, null, "pretrain"), model);
            assertThat(written.architecture()).containsEntry("d_model", 16).containsEntry("tokenizer", "byte");

            TransformerLm loaded = LanguageModelCheckpoints.load(store, id, manager);
            assertThat(loaded.spec()).isEqualTo(spec);
            TokenBatch batch = TokenBatch.of(manager, List.of(PromptCompletion.encode(tok, "Q", "A")), tok.padId(), 16);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray a = model.forward(ps, batch.inputs(), false).head();
            NDArray b = loaded.forward(ps, batch.inputs(), false).head();
            assertThat(a.allClose(b, 0, 0, false)).isTrue();
        }
    }
}
