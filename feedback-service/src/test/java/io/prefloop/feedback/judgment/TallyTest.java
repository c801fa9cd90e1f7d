package io.prefloop.feedback.judgment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The vote rule without a database: each choice counts once, skips count nowhere, enough votes resolve. */
class TallyTest {

    @Test
    void eachChoiceCountsInItsOwnColumnAndASkipInNone() {
        Tally none = new Tally(0, 0, 0, 0);
        assertThat(none.with(Choice.A)).isEqualTo(new Tally(1, 0, 0, 0));
        assertThat(none.with(Choice.B)).isEqualTo(new Tally(0, 1, 0, 0));
        assertThat(none.with(Choice.TIE)).isEqualTo(new Tally(0, 0, 1, 0));
        assertThat(none.with(Choice.BOTH_BAD)).isEqualTo(new Tally(0, 0, 0, 1));
        assertThat(none.with(Choice.SKIP)).isEqualTo(none);
    }

    @Test
    void aPairStaysOpenUntilItHasTheVotesItNeeds() {
        Tally one = new Tally(0, 0, 0, 0).with(Choice.A);
        assertThat(one.resolution(2)).isNull();
        assertThat(one.with(Choice.SKIP).resolution(2)).as("a skip is no vote").isNull();
        assertThat(one.with(Choice.A).resolution(2)).isEqualTo(new Resolution("a", 1.0));
        assertThat(one.with(Choice.B).resolution(2)).isEqualTo(new Resolution("split", 0.5));
    }

    @Test
    void theLastVoteDecidesAgainstTheMajorityOfThree() {
        Tally votes = new Tally(1, 1, 0, 0).with(Choice.B);
        assertThat(votes.resolution(3)).isEqualTo(new Resolution("b", 2.0 / 3));
    }
}
