package io.prefloop.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopOptionsTest {

    @Test
    void defaultsDependOnTheWorld() {
        LoopOptions shapes = LoopOptions.parse(new String[] {});
        assertThat(shapes.world()).isEqualTo("shapes");
        assertThat(shapes.beta()).isEqualTo(500);
        assertThat(shapes.steps()).isEqualTo(150);
        assertThat(shapes.rounds()).isEqualTo(2);
        assertThat(shapes.learningRate()).isEqualTo(1e-4);
        assertThat(shapes.pairsPerPrompt()).as("6 groups of 4").isEqualTo(36);
        LoopOptions replies = LoopOptions.parse(new String[] {"--world", "replies"});
        assertThat(replies.beta()).isEqualTo(0.5);
        assertThat(replies.evalSamples()).isEqualTo(16);
        assertThat(replies.rounds()).isEqualTo(3);
        assertThat(LoopOptions.parse(new String[] {"--rounds", "4"}).rounds()).isEqualTo(4);
        assertThat(LoopOptions.parse(new String[] {"--world", "replies", "--beta", "0.2"}).beta()).isEqualTo(0.2);
    }

    @Test
    void theMethodIsTheWorldsPreferenceMethodUnlessARewardModelMethodIsAsked() {
        assertThat(LoopOptions.parse(new String[] {}).method()).isEqualTo("diffusion_dpo");
        assertThat(LoopOptions.parse(new String[] {}).usesRewardModel()).isFalse();
        LoopOptions ppo = LoopOptions.parse(new String[] {"--world", "replies", "--method", "ppo"});
        assertThat(ppo.usesRewardModel()).isTrue();
        assertThat(LoopOptions.parse(new String[] {"--method", "dpok"}).usesRewardModel()).isTrue();
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--method", "ppo"}))
                .hasMessageContaining("the shapes loop runs diffusion_dpo, ddpo, dpok");
        assertThat(LoopOptions.parse(new String[] {"--world", "replies", "--method", "ppo", "--hp", "kl_coef=0.5",
                "--hp", "steps=20"}).methodHyperparameters()).containsEntry("kl_coef", 0.5).containsEntry("steps", 20L);
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--hp", "beta=1"})).hasMessageContaining("--hp applies");
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--method", "ddpo", "--hp", "nonsense"}))
                .hasMessageContaining("key=value");
    }

    @Test
    void pairsPerPromptAreGroupsOfTwo_largerGroupsPairEveryTwo() {
        LoopOptions pairs = LoopOptions.parse(new String[] {"--pairs-per-prompt", "5"});
        assertThat(pairs.groups()).isEqualTo(5);
        assertThat(pairs.groupSize()).isEqualTo(2);
        assertThat(pairs.pairsPerPrompt()).isEqualTo(5);
        assertThat(LoopOptions.parse(new String[] {"--groups", "3", "--group-size", "4"}).pairsPerPrompt()).isEqualTo(18);
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--group-size", "1"})).hasMessageContaining("group-size");
    }

    @Test
    void aGroupOfEveryPromptMustFitOneProposal_checkedBeforeAnyCall() {
        // 23 questions × 12 candidates > 256: refused before the loop waits for any service
        LoopOptions tooBig = LoopOptions.parse(new String[] {"--world", "replies", "--group-size", "12",
                "--feedback", "http://localhost:1", "--trainer", "http://localhost:1", "--inference", "http://localhost:1"});
        assertThatThrownBy(() -> new ClosedLoop(tooBig, System.out).run()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--group-size 12");
    }

    @Test
    void evalImagesIsAnotherNameForEvalSamples() {
        assertThat(LoopOptions.parse(new String[] {"--eval-images", "4"}).evalSamples()).isEqualTo(4);
    }

    @Test
    void badArgumentsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--world", "music"})).hasMessageContaining("shapes and replies");
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--rouns", "3"})).hasMessageContaining("unknown option --rouns");
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--lr", "NaN"})).hasMessageContaining("finite");
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--rounds", "x"})).hasMessageContaining("not a number");
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--noise", "0.5"})).hasMessageContaining("noise");
        assertThatThrownBy(() -> LoopOptions.parse(new String[] {"--steps"})).hasMessageContaining("needs a value");
    }
}
