package io.prefloop.inference.proposal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PairingPlanTest {

    @Test
    void disjointPairsJoinEachCandidateWithItsNeighbourAndKeepTheOldKeys() {
        // two prompts, two pairs per prompt
        assertThat(new PairingPlan(false, 4, false).pairs(8)).containsExactly(
                new PairingPlan.Planned(0, 1, "p0"), new PairingPlan.Planned(2, 3, "p2"),
                new PairingPlan.Planned(4, 5, "p4"), new PairingPlan.Planned(6, 7, "p6"));
    }

    @Test
    void allPairsJoinEveryTwoCandidatesOfAPromptButNeverAcrossPrompts() {
        List<PairingPlan.Planned> pairs = new PairingPlan(true, 3, false).pairs(6);
        assertThat(pairs).containsExactly(
                new PairingPlan.Planned(0, 1, "p0-1"), new PairingPlan.Planned(0, 2, "p0-2"),
                new PairingPlan.Planned(1, 2, "p1-2"), new PairingPlan.Planned(3, 4, "p3-4"),
                new PairingPlan.Planned(3, 5, "p3-5"), new PairingPlan.Planned(4, 5, "p4-5"));
        assertThat(new PairingPlan(true, 5, false).pairs(5)).hasSize(5 * 4 / 2);
    }

    @Test
    void candidatesOnlyMakesNoPairs() {
        assertThat(new PairingPlan(true, 3, true).pairs(6)).isEmpty();
    }
}
