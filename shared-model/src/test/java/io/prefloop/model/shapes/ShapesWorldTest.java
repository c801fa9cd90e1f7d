package io.prefloop.model.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ShapesWorldTest {

    private static final int SIZE = 16;

    @Test
    void rendererDrawsTheColourOnGreyWithAntiAliasedEdges() {
        float[] img = ShapeRenderer.render(new Scene(Colour.RED, ShapeKind.SQUARE, 8, 8, 8), SIZE);
        int n = SIZE * SIZE;
        float[] red = Colour.RED.rgb();
        float[] bg = Colour.backgroundRgb();
        int centre = 8 * SIZE + 8;
        assertThat(img[centre]).isEqualTo(red[0]);
        assertThat(img[n + centre]).isEqualTo(red[1]);
        assertThat(img[0]).isEqualTo(bg[0]);
        // a square of side 8 centred at (8, 8) covers pixels 4..11 exactly: no partial pixels
        assertThat(img[4 * SIZE + 4]).isEqualTo(red[0]);
        assertThat(img[3 * SIZE + 4]).isEqualTo(bg[0]);
        // a circle's rim is partially covered: a blend strictly between background and colour
        float[] c = ShapeRenderer.render(new Scene(Colour.BLUE, ShapeKind.CIRCLE, 8, 8, 9), SIZE);
        boolean blended = false;
        for (int p = 0; p < n; p++) {
            float v = c[2 * n + p];
            blended |= v > bg[2] + 0.05f && v < Colour.BLUE.rgb()[2] - 0.05f;
        }
        assertThat(blended).isTrue();
    }

    @Test
    void oracleReadsTrueImagesCorrectly() {
        ShapesOracle oracle = new ShapesOracle(SIZE);
        Random rng = new Random(42);
        int colourOk = 0, shapeOk = 0, total = 0;
        for (ShapeKind s : ShapeKind.values()) {
            for (int i = 0; i < 60; i++) {
                Colour c = Colour.values()[rng.nextInt(5)];
                Scene scene = PretrainingSet.randomScene(c, s, SIZE, rng);
                Judgment j = oracle.judge(ShapeRenderer.render(scene, SIZE), new Prompt(c, s));
                colourOk += j.colour() == c ? 1 : 0;
                shapeOk += j.shape() == s ? 1 : 0;
                total++;
                assertThat(j.aligned()).isEqualTo(j.colour() == c && j.shape() == s);
            }
        }
        assertThat(colourOk).isEqualTo(total);
        assertThat(shapeOk / (double) total).isGreaterThan(0.97);
    }

    @Test
    void gradedScoreRanksNearMissesAndEmptyImages() {
        ShapesOracle oracle = new ShapesOracle(SIZE);
        Prompt p = new Prompt(Colour.RED, ShapeKind.CIRCLE);
        Judgment right = oracle.judge(ShapeRenderer.render(new Scene(Colour.RED, ShapeKind.CIRCLE, 8, 8, 10), SIZE), p);
        Judgment wrongShape = oracle.judge(ShapeRenderer.render(new Scene(Colour.RED, ShapeKind.TRIANGLE, 8, 8, 10), SIZE), p);
        Judgment wrongColour = oracle.judge(ShapeRenderer.render(new Scene(Colour.PURPLE, ShapeKind.CIRCLE, 8, 8, 10), SIZE), p);
        float[] grey = new float[3 * SIZE * SIZE];
        java.util.Arrays.fill(grey, Colour.backgroundRgb()[0]);
        Judgment empty = oracle.judge(grey, p);
        assertThat(right.aligned()).isTrue();
        assertThat(right.score()).isGreaterThan(1.9);
        assertThat(wrongShape.aligned()).isFalse();
        assertThat(wrongColour.colour()).isEqualTo(Colour.PURPLE);
        assertThat(wrongShape.score()).isBetween(0.5, 1.0);
        assertThat(wrongColour.score()).isBetween(0.4, 0.6);
        assertThat(empty.score()).isZero();
        assertThat(empty.shape()).isNull();
    }

    @Test
    void pretrainingColoursAreWrongTheSetFractionOfTheTimeAndAlwaysTheSameWay() {
        PretrainingSet set = new PretrainingSet(0.35, SIZE);
        Random rng = new Random(7);
        int wrong = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            PretrainingSet.Example e = set.next(rng);
            assertThat(e.prompt().shape()).isNotEqualTo(ShapeKind.RING);
            if (e.wrongColour()) {
                wrong++;
                assertThat(e.scene().colour()).isEqualTo(e.prompt().colour().confusedWith());
            }
        }
        assertThat(wrong / (double) n).isCloseTo(0.35, within(0.03));
        for (Colour c : Colour.values()) {
            assertThat(c.confusedWith()).isNotEqualTo(c);
        }
    }

    @Test
    void promptsParseAndTheVocabularyCoversThem() {
        assertThat(Prompt.parse("a yellow triangle")).isEqualTo(new Prompt(Colour.YELLOW, ShapeKind.TRIANGLE));
        assertThat(new Prompt(Colour.GREEN, ShapeKind.RING).text()).isEqualTo("a green ring");
        assertThat(Prompt.vocabulary()).startsWith("<pad>", "<unk>").contains("ring", "purple", "sks");
        assertThat(Prompt.pretrained()).hasSize(15);
    }
}
