package io.prefloop.model.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlignmentEvalTest {

    private static Judgment j(boolean aligned, double score, Colour c, ShapeKind s) {
        return new Judgment(c, s, aligned, 0, 0, score);
    }

    @Test
    void ratesAndPairedWinRates() {
        Prompt red = new Prompt(Colour.RED, ShapeKind.CIRCLE);
        AlignmentEval.Result a = new AlignmentEval.Result(List.of(red, red, red, red), List.of(
                j(true, 1.9, Colour.RED, ShapeKind.CIRCLE), j(false, 0.5, Colour.PURPLE, ShapeKind.CIRCLE),
                j(true, 1.8, Colour.RED, ShapeKind.CIRCLE), j(false, 0.2, Colour.BLUE, null)));
        AlignmentEval.Result b = new AlignmentEval.Result(List.of(red, red, red, red), List.of(
                j(false, 0.5, Colour.PURPLE, ShapeKind.CIRCLE), j(false, 0.5, Colour.PURPLE, ShapeKind.CIRCLE),
                j(true, 1.9, Colour.RED, ShapeKind.CIRCLE), j(false, 0.1, Colour.BLUE, null)));
        assertThat(a.alignment()).isEqualTo(0.5);
        assertThat(a.misbound()).isEqualTo(0.25);
        assertThat(a.shapeAccuracy()).isEqualTo(0.75);
        AlignmentEval.WinRate w = AlignmentEval.winRate(a, b);
        assertThat(w).isEqualTo(new AlignmentEval.WinRate(2, 1, 1));
        assertThat(w.tiesHalf()).isCloseTo(2.5 / 4, within(1e-12));
        assertThat(w.decisive()).isCloseTo(2.0 / 3, within(1e-12));
    }
}
