package io.prefloop.model.replies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prefloop.model.labeling.Choice;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.text.ByteTokenizer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RepliesWorldTest {

    private final RepliesWorld world = RepliesWorld.standard();
    private final ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
    private final Question grass = world.question("Q: What colour is grass?\nA:");

    @Test
    void promptsAndFormalReplies() {
        assertThat(grass.answer()).isEqualTo("green");
        Question sky = world.question("Q: What colour is the sky?\nA:");
        assertThat(world.reply(sky, Style.FORMAL, "blue", new Random(0))).isEqualTo(" The sky is blue.");
        Question spider = world.question("Q: How many legs does a spider have?\nA:");
        assertThat(world.reply(spider, Style.FORMAL, "eight", new Random(0))).isEqualTo(" A spider has eight legs.");
    }

    @Test
    void oracleReadsStyleAndCorrectness() {
        String p = grass.prompt();
        assertThat(oracle.judge(p, " Grass is green.")).isEqualTo(new ReplyJudgement(true, Style.FORMAL, true));
        assertThat(oracle.judge(p, " Grass is blue.")).isEqualTo(new ReplyJudgement(true, Style.FORMAL, false));
        assertThat(oracle.judge(p, " green, obviously!")).isEqualTo(new ReplyJudgement(true, Style.CASUAL, true));
        assertThat(oracle.judge(p, " hmm, red i guess")).isEqualTo(new ReplyJudgement(true, Style.CASUAL, false));
        assertThat(oracle.judge(p, " green.")).isEqualTo(new ReplyJudgement(true, Style.TERSE, true));
    }

    @Test
    void oracleRejectsMalformedReplies() {
        String p = grass.prompt();
        for (String bad : new String[] {" Grass is green", "Grass is green.", " Grass is four.", " The sky is blue.",
                " green, obviously", " gren.", " green. green.", ""}) {
            assertThat(oracle.judge(p, bad).wellFormed()).as(bad).isFalse();
        }
        assertThat(oracle.judge(p, " Grass is green.", false).wellFormed()).as("cut off before EOS").isFalse();
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            Question q = world.questions().get(random.nextInt(world.questions().size()));
            assertThat(oracle.judge(q.prompt(), world.malformed(q, random)).wellFormed()).isFalse();
        }
    }

    @Test
    void scoresOrderStyleAboveCorrectness() {
        String p = grass.prompt();
        assertThat(oracle.score(p, " Grass is green.")).isEqualTo(4);
        assertThat(oracle.score(p, " Grass is red.")).isEqualTo(3);
        assertThat(oracle.score(p, " green.")).isEqualTo(2);
        assertThat(oracle.score(p, " red.")).isEqualTo(1);
        assertThat(oracle.score(p, " gre")).isEqualTo(0);
    }

    @Test
    void labelerFlipsAtTheNoiseRateAndNeverFlipsTies() {
        SimulatedLabeler labeler = new SimulatedLabeler(0.1, 5);
        String p = grass.prompt();
        int wrong = 0;
        for (int i = 0; i < 5000; i++) {
            Choice v = labeler.judge(oracle.score(p, " Grass is green."), oracle.score(p, " green."));
            assertThat(v).isNotEqualTo(Choice.TIE);
            wrong += v == Choice.B ? 1 : 0;
        }
        assertThat(wrong / 5000.0).isCloseTo(0.1, within(0.015));
        assertThat(labeler.judge(oracle.score(p, " green."), oracle.score(p, " green, obviously!"))).isEqualTo(Choice.TIE);
        assertThat(new SimulatedLabeler(0, 1).judge(oracle.score(p, " gre"), oracle.score(p, " green.")))
                .isEqualTo(Choice.B);
    }

    @Test
    void heldOutQuestionsAreDisjointFromTraining() {
        assertThat(world.trainQuestions()).doesNotContainAnyElementsOf(world.heldOutQuestions());
        assertThat(world.trainQuestions().size() + world.heldOutQuestions().size()).isEqualTo(world.questions().size());
    }

    @Test
    void pretrainingTextsFollowTheStyleMixAndFitTheModel() {
        PretrainingConfig config = PretrainingConfig.standard();
        BasePretraining pretraining = new BasePretraining(world, new ByteTokenizer(), config);
        Random random = new Random(3);
        ReplyStats.Counter counter = new ReplyStats.Counter(Style.FORMAL);
        int longest = 0;
        for (int i = 0; i < 4000; i++) {
            String text = pretraining.sample(random);
            int split = text.indexOf("\nA:") + 3;
            counter.add(oracle.judge(text.substring(0, split), text.substring(split)));
            longest = Math.max(longest, text.length());
        }
        ReplyStats stats = counter.stats();
        assertThat(stats.wellFormedRate()).isEqualTo(1.0);
        assertThat(stats.preferredRate()).isCloseTo(config.formalShare(), within(0.03));
        assertThat(stats.styleRates().get(Style.CASUAL)).isCloseTo(config.casualShare(), within(0.03));
        assertThat(stats.correctRate()).isCloseTo(1 - config.wrongAnswerRate(), within(0.02));
        assertThat(longest + 2).isLessThanOrEqualTo(RepliesModels.SPEC.maxLength());
    }
}
