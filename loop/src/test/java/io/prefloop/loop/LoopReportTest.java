package io.prefloop.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LoopReportTest {

    private static TrainingCurve curve(TrainingCurve.Ratio ratio, TrainingCurve.Step... steps) {
        return new TrainingCurve("job", ratio, List.of(steps));
    }

    private static TrainingCurve smooth(int steps) {
        List<TrainingCurve.Step> s = new ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            s.add(new TrainingCurve.Step(i, 1.0 / i, 1.0 + 0.01 * i, 2.0 - 0.1 * i));
        }
        return new TrainingCurve("job", TrainingCurve.Ratio.MSE, s);
    }

    private static String svg(TrainingCurve curve, boolean promoted, String verdict) {
        return TrainingCharts.svg(2, curve, promoted, verdict, TrainingCharts.Scales.of(List.of(curve)));
    }

    private static Document xml(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<double[]> polylines(Document svg) {
        List<double[]> lines = new ArrayList<>();
        NodeList nodes = svg.getElementsByTagName("polyline");
        for (int i = 0; i < nodes.getLength(); i++) {
            String[] points = ((Element) nodes.item(i)).getAttribute("points").trim().split("[ ,]+");
            double[] values = new double[points.length];
            for (int j = 0; j < points.length; j++) {
                values[j] = Double.parseDouble(points[j]);
            }
            lines.add(values);
        }
        return lines;
    }

    @Test
    void eachSeriesIsOnePolylineWithOnePointPerStep() throws Exception {
        Document svg = xml(svg(smooth(7), true, "promoted: quality_regression = 0.0 ≤ 0.1"));

        List<double[]> lines = polylines(svg);
        assertThat(lines).as("loss, mse ratio, grad_norm").hasSize(3);
        for (double[] line : lines) {
            assertThat(line).hasSize(2 * 7);
        }
        // the loss falls: its last point is lower on the chart (a larger y) than its first
        assertThat(lines.get(0)[13]).isGreaterThan(lines.get(0)[1]);
        assertThat(svg.getDocumentElement().getAttribute("class")).isEqualTo("round");
    }

    @Test
    void withoutRatioOrGradNormOnlyTheLossIsDrawn() throws Exception {
        TrainingCurve loss = curve(TrainingCurve.Ratio.NONE, new TrainingCurve.Step(1, 0.7, null, null),
                new TrainingCurve.Step(2, 0.6, null, null), new TrainingCurve.Step(3, 0.5, null, null));
        String svg = svg(loss, true, "promoted");
        assertThat(polylines(xml(svg))).hasSize(1).allSatisfy(l -> assertThat(l).hasSize(6));
        assertThat(svg).contains(">loss<").doesNotContain("grad_norm", "ratio");
    }

    @Test
    void aRefusedRoundIsFramedInRedAndSaysSo() throws Exception {
        String refused = svg(smooth(3), false, "not promoted: heldout_implicit_acc = 0.4 ≥ 0.0, quality_regression ="
                + " 0.37 not ≤ 0.1");
        Element root = xml(refused).getDocumentElement();
        assertThat(root.getAttribute("class")).isEqualTo("round not-promoted");
        assertThat(refused).contains(">refused<", "stroke=\"#c00\"", "quality_regression = 0.37 not ≤ 0.1");

        assertThat(svg(smooth(3), false, "failed: out of memory")).contains(">failed<");
        assertThat(svg(smooth(3), true, "promoted: fine")).doesNotContain("not-promoted", "#c00");
    }

    @Test
    void nonFiniteValuesBreakTheLineAndAreTicked_neverWrittenAsNumbers() throws Exception {
        TrainingCurve diverged = curve(TrainingCurve.Ratio.MSE,
                new TrainingCurve.Step(1, 0.7, 1.0, 1.0),
                new TrainingCurve.Step(2, 0.8, 1.1, 3.0),
                new TrainingCurve.Step(3, Double.NaN, Double.POSITIVE_INFINITY, null),
                new TrainingCurve.Step(4, 9.0, 1.5, Double.NEGATIVE_INFINITY),
                new TrainingCurve.Step(5, 12.0, Double.NaN, 40.0));
        String text = svg(diverged, false, "not promoted: quality_regression = NaN not ≤ 0.1");
        Document svg = xml(text);

        for (double[] line : polylines(svg)) {
            for (double v : line) {
                assertThat(v).isFinite();
            }
        }
        // loss: steps 1–2 and 4–5; ratio: 1–2 and a lone dot at 4; grad_norm: 1–2 and a dot at 5
        assertThat(polylines(svg)).hasSize(4);
        assertThat(svg.getElementsByTagName("circle").getLength()).isEqualTo(2);
        // NaN loss, +∞ ratio, NaN ratio, −∞ grad_norm; the missing grad_norm of step 3 is no tick
        NodeList ticks = svg.getElementsByTagName("line");
        int nonFinite = 0;
        for (int i = 0; i < ticks.getLength(); i++) {
            if (((Element) ticks.item(i)).getAttribute("class").equals("nonfinite")) {
                nonFinite++;
            }
        }
        assertThat(nonFinite).isEqualTo(4);
        String attributes = text.replaceAll("<title>[^<]*</title>", "");
        assertThat(attributes).doesNotContain("NaN", "Infinity", "∞");
    }

    @Test
    void roundsShareEachPanelsScale() {
        TrainingCurve calm = smooth(4);
        TrainingCurve wild = curve(TrainingCurve.Ratio.MSE, new TrainingCurve.Step(1, 0.7, 1.0, 1.0),
                new TrainingCurve.Step(2, 50.0, 3.0, 1.0));
        TrainingCharts.Scales scales = TrainingCharts.Scales.of(List.of(calm, wild));
        assertThat(scales.loss().max()).isEqualTo(50.0);
        assertThat(scales.ratio().max()).isEqualTo(3.0);
        assertThat(TrainingCharts.svg(1, calm, true, "promoted", scales)).contains(">50.0<", ">3.00<");
        // the ratio's scale always shows 1, the reference
        TrainingCharts.Range ratio = TrainingCharts.Scales.of(List.of(curve(TrainingCurve.Ratio.MSE,
                new TrainingCurve.Step(1, 0.7, 1.2, null), new TrainingCurve.Step(2, 0.6, 1.3, null)))).ratio();
        assertThat(ratio.min()).isEqualTo(1.0);
        assertThat(TrainingCharts.Scales.of(List.of(calm, wild)).gradNorm()).isNotNull();
    }

    @Test
    void theReportHasOneTrainingChartPerRoundThatTrained(@TempDir Path dir) throws Exception {
        Evaluation evaluation = new Evaluation("shapes-unet/base", 0.3, List.of(0.1, 0.2), "colour 0.75",
                Map.of("a red circle", List.of(new Evaluation.Shown(null, "sample"))));
        List<LoopReport.Round> rounds = List.of(
                new LoopReport.Round(0, 0, "shapes-unet/base", true, "start", 0.3, null, 10, evaluation, null),
                new LoopReport.Round(1, 45, "shapes-unet/v0001", true, "promoted: fine", 0.35,
                        new Evaluation.WinRate(1, 0, 1), 20, evaluation, smooth(5)),
                new LoopReport.Round(2, 90, "shapes-unet/v0001", false, "not promoted: quality_regression = 0.4 not ≤ 0.1",
                        0.35, new Evaluation.WinRate(1, 0, 1), 20, evaluation, curve(TrainingCurve.Ratio.MSE,
                        new TrainingCurve.Step(1, 0.7, 1.0, null), new TrainingCurve.Step(2, 0.9, 1.4, null))));
        Path file = dir.resolve("report.html");
        LoopReport.write(file, LoopOptions.parse(new String[] {}), LoopWorld.named("shapes"), rounds);

        String html = Files.readString(file);
        assertThat(html).contains("<h2>Training, per round</h2>", "mse ratio", "model_mse / ref_mse",
                "aria-label=\"round 1 training, promoted\"", "aria-label=\"round 2 training, refused\"",
                "<td>loss 0.900, mse ratio 1.400</td>");
        assertThat(html.split("<svg class=\"round", -1)).hasSize(3);
        assertThat(html).doesNotContain("<script", "src=\"http", "href=\"http");
    }
}
