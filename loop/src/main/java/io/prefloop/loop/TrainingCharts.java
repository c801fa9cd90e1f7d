package io.prefloop.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The report's small multiples: one inline SVG per round, drawing its training job step by step —
 * the loss, the quality ratio against the reference ({@link TrainingCurve}) and {@code grad_norm}
 * where recorded — each on a scale shared by all rounds, so a round that diverged stands out. A
 * round whose checkpoint was not promoted has a red frame and says why; a step whose value is not
 * finite is a red tick on the panel's edge, never a number in the SVG.
 */
final class TrainingCharts {

    static final String LOSS_COLOUR = "#1f5fbf";
    static final String RATIO_COLOUR = "#b35900";
    static final String GRAD_COLOUR = "#6a3d9a";
    private static final int WIDTH = 270;
    private static final int LEFT = 46;
    private static final int RIGHT = 8;
    private static final int TITLE = 20;
    private static final int LABEL = 16;
    private static final int PANEL = 60;
    private static final int BOTTOM = 16;

    private TrainingCharts() {}

    /** A panel's y range, shared by every round; null for a series no round recorded. */
    record Range(double min, double max) {

        static Range of(List<TrainingCurve> curves, Function<TrainingCurve.Step, Double> value, Double include) {
            double min = include == null ? Double.POSITIVE_INFINITY : include;
            double max = include == null ? Double.NEGATIVE_INFINITY : include;
            boolean any = false;
            for (TrainingCurve c : curves) {
                for (TrainingCurve.Step s : c.steps()) {
                    Double v = value.apply(s);
                    if (v != null) {
                        any = true;
                        if (Double.isFinite(v)) {
                            min = Math.min(min, v);
                            max = Math.max(max, v);
                        }
                    }
                }
            }
            if (!any) {
                return null;
            }
            if (!Double.isFinite(min)) {
                return new Range(0, 1);
            }
            if (max - min < 1e-12) {
                double pad = Math.max(Math.abs(min) * 0.05, 1e-6);
                return new Range(min - pad, max + pad);
            }
            return new Range(min, max);
        }

        double y(double v, double top) {
            double f = (Math.max(min, Math.min(max, v)) - min) / (max - min);
            return top + PANEL - f * PANEL;
        }
    }

    /** The y ranges of the three panels over every round's job; ratio and grad_norm null when none recorded them. */
    record Scales(Range loss, Range ratio, Range gradNorm, String ratioName, String ratioDescription) {

        static Scales of(List<TrainingCurve> curves) {
            TrainingCurve.Ratio kind = curves.stream().map(TrainingCurve::ratio)
                    .filter(r -> r != TrainingCurve.Ratio.NONE).findFirst().orElse(TrainingCurve.Ratio.NONE);
            Range loss = Range.of(curves, TrainingCurve.Step::loss, null);
            return new Scales(loss == null ? new Range(0, 1) : loss,
                    kind == TrainingCurve.Ratio.NONE ? null : Range.of(curves, TrainingCurve.Step::ratio, 1.0),
                    Range.of(curves, TrainingCurve.Step::gradNorm, null), kind.name, kind.description);
        }
    }

    /** The report's section: a legend and one chart per round that trained. */
    static String html(List<LoopReport.Round> rounds) {
        List<LoopReport.Round> trained = rounds.stream().filter(r -> r.training() != null).toList();
        if (trained.isEmpty()) {
            return "<p>No training job ran.</p>\n";
        }
        Scales scales = Scales.of(trained.stream().map(LoopReport.Round::training).toList());
        StringBuilder html = new StringBuilder("<p>Each round's training job, one point per step, every panel on a"
                + " scale shared by all rounds: <span style=\"color:" + LOSS_COLOUR + "\">loss</span>");
        if (scales.ratio() != null) {
            html.append(", <span style=\"color:").append(RATIO_COLOUR).append("\">").append(scales.ratioName())
                    .append("</span> (").append(escape(scales.ratioDescription()))
                    .append("; 1, dashed, is the reference, above it worse)");
        }
        if (scales.gradNorm() != null) {
            html.append(", <span style=\"color:").append(GRAD_COLOUR).append("\">grad_norm</span>");
        }
        html.append(". A red frame: the round's checkpoint was not promoted (the gate refused it, or the job"
                + " failed). A red tick on a panel's edge: a step whose value was not finite.</p>\n");
        html.append("<div class=\"multiples\">\n");
        for (LoopReport.Round r : trained) {
            html.append(svg(r.round(), r.training(), r.promoted(), r.verdict(), scales));
        }
        return html.append("</div>\n").toString();
    }

    /** One round's chart. */
    static String svg(int round, TrainingCurve curve, boolean promoted, String verdict, Scales scales) {
        List<Panel> panels = new ArrayList<>();
        panels.add(new Panel("loss", TrainingCurve.Step::loss, scales.loss(), LOSS_COLOUR, null));
        if (scales.ratio() != null) {
            panels.add(new Panel(scales.ratioName(), TrainingCurve.Step::ratio, scales.ratio(), RATIO_COLOUR, 1.0));
        }
        if (scales.gradNorm() != null) {
            panels.add(new Panel("grad_norm", TrainingCurve.Step::gradNorm, scales.gradNorm(), GRAD_COLOUR, null));
        }
        int height = TITLE + panels.size() * (LABEL + PANEL) + BOTTOM;
        String state = promoted ? "promoted" : mark(verdict);
        String frame = promoted ? "stroke=\"#ccc\"" : "stroke=\"#c00\" stroke-width=\"3\"";
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"round%s\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"round %d training, %s\">"
                        + "<title>round %d: %s</title>\n"
                        + "<rect x=\"1\" y=\"1\" width=\"%d\" height=\"%d\" fill=\"none\" %s/>\n"
                        + "<text x=\"8\" y=\"16\" font-weight=\"bold\">round %d</text>"
                        + "<text x=\"70\" y=\"16\"%s>%s</text>\n",
                promoted ? "" : " not-promoted", WIDTH, height, round, escape(state), round, escape(verdict), WIDTH - 2, height - 2,
                frame, round, promoted ? " fill=\"#070\"" : " fill=\"#c00\" font-weight=\"bold\"", escape(state)));
        List<TrainingCurve.Step> steps = curve.steps();
        if (steps.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"%d\">no metrics recorded</text>\n", TITLE + 20));
            return svg.append("</svg>\n").toString();
        }
        int first = steps.get(0).step();
        int last = steps.get(steps.size() - 1).step();
        for (int i = 0; i < panels.size(); i++) {
            panel(svg, panels.get(i), TITLE + i * (LABEL + PANEL) + LABEL, steps, first, last);
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\">step %d</text>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"end\">%d</text>\n", LEFT, height - 4, first,
                WIDTH - RIGHT, height - 4, last));
        return svg.append("</svg>\n").toString();
    }

    private record Panel(String label, Function<TrainingCurve.Step, Double> value, Range range, String colour,
            Double reference) {}

    private static void panel(StringBuilder svg, Panel p, int top, List<TrainingCurve.Step> steps, int first, int last) {
        int x1 = WIDTH - RIGHT;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\""
                + " stroke=\"#ddd\"/>", LEFT, top, x1 - LEFT, PANEL));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"end\">%s</text>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"end\">%s</text>", LEFT - 3, top + 8,
                tick(p.range().max()), LEFT - 3, top + PANEL, tick(p.range().min())));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", LEFT, top - 4,
                p.colour(), escape(p.label())));
        if (p.reference() != null) {
            double y = p.range().y(p.reference(), top);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\""
                    + " stroke-dasharray=\"3 3\"/>\n", LEFT, y, x1, y));
        }
        StringBuilder points = new StringBuilder();
        int inSegment = 0;
        for (TrainingCurve.Step s : steps) {
            double x = first == last ? (LEFT + x1) / 2.0 : LEFT + (s.step() - first) * (x1 - LEFT) / (double) (last - first);
            Double v = p.value().apply(s);
            if (v != null && Double.isFinite(v)) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, p.range().y(v, top)));
                inSegment++;
                continue;
            }
            inSegment = segment(svg, points, inSegment, p.colour());
            if (v != null) {
                // NaN and +∞ at the top edge, −∞ at the bottom
                double y = v == Double.NEGATIVE_INFINITY ? top + PANEL - 6 : top;
                svg.append(String.format(Locale.ROOT, "<line class=\"nonfinite\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                        + " y2=\"%.1f\" stroke=\"#c00\" stroke-width=\"2\"><title>step %d: %s %s</title></line>\n", x, y,
                        x, y + 6, s.step(), escape(p.label()), v.isNaN() ? "NaN" : v > 0 ? "+∞" : "−∞"));
            }
        }
        segment(svg, points, inSegment, p.colour());
    }

    /** Draws the pending points as a polyline (a dot when only one) and starts a new segment. */
    private static int segment(StringBuilder svg, StringBuilder points, int count, String colour) {
        if (count == 1) {
            String[] xy = points.toString().trim().split(",");
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"1.5\" fill=\"%s\"/>\n", xy[0], xy[1],
                    colour));
        } else if (count > 1) {
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" points=\"")
                    .append(points.toString().trim()).append("\"/>\n");
        }
        points.setLength(0);
        return 0;
    }

    /** What the frame says of a round that was not promoted: "refused" when the gate said no, else the job's state. */
    static String mark(String verdict) {
        if (verdict.startsWith("not promoted")) {
            return "refused";
        }
        int colon = verdict.indexOf(':');
        return colon > 0 ? verdict.substring(0, colon) : verdict;
    }

    private static String tick(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
