package io.prefloop.model.replies;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerLm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed base model of the replies world (shared-model/checkpoints) loads and answers. */
class BaseReplyModelTest {

    @Test
    void committedBaseModelLoadsAndAnswersWellFormed() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(Path.of("checkpoints"));
        RepliesWorld world = RepliesWorld.standard();
        ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm model = LanguageModelCheckpoints.load(store, new CheckpointId(RepliesModels.BASE_MODEL, "v0001"), manager);
            assertThat(model.spec()).isEqualTo(RepliesModels.SPEC);
            List<ReplySampling.Sample> samples = ReplySampling.sample(manager, model, new ByteTokenizer(),
                    world.questions().subList(0, 6), 1, 0.0, 0, 8);
            ReplyStats stats = ReplySampling.stats(oracle, samples);
            assertThat(stats.wellFormedRate()).as(samples.toString()).isGreaterThanOrEqualTo(5 / 6.0);
        }
    }
}
