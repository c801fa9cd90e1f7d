package io.prefloop.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The loop's HTML report: the rounds' numbers, their curves, each round's training job step by step
 * ({@link TrainingCharts}), and a sample grid per checkpoint.
 */
final class LoopReport {

    /**
     * One line of the loop's output.
     *
     * @param training the steps of the round's training job; null for round 0
     */
    record Round(int round, int judgments, String checkpoint, boolean promoted, String verdict, double alignment,
            Evaluation.WinRate winRate, double seconds, Evaluation evaluation, TrainingCurve training) {}

    private LoopReport() {}

    static void write(Path file, LoopOptions options, LoopWorld world, List<Round> rounds) throws IOException {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Prefloop closed loop</title>
                <style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}
                img{width:48px;height:48px;image-rendering:pixelated;margin:1px}.grid td{text-align:left}
                .up{color:#070}.down{color:#a00}pre{margin:0;font-size:12px}
                .multiples{display:flex;flex-wrap:wrap;gap:10px}.multiples svg{font:11px system-ui,sans-serif}</style>
                </head><body>
                """);
        html.append("<h1>Prefloop: the closed loop, ").append(options.world()).append(" world</h1>\n");
        String training = options.usesRewardModel()
                ? String.format(Locale.ROOT, "each round a reward model trained on every comparison so far, then %s with"
                        + " the trainer's defaults against it", options.method())
                : String.format(Locale.ROOT, "%s %d steps × %d pairs (β %s, lr %.0e)", options.method(), options.steps(),
                        options.batch(), options.beta(), options.learningRate());
        html.append("<p>").append(String.format(Locale.ROOT, "%d rounds, %d simulated labelers with %.0f%% noise, "
                + "%d comparisons per prompt per round (%d groups of %d candidates), %s; evaluation: %d samples per"
                + " prompt, the same seeds for every checkpoint.", options.rounds(), options.labelers(),
                options.noise() * 100, options.pairsPerPrompt(), options.groups(), options.groupSize(), training,
                options.evalSamples())).append("</p>\n");
        html.append("<table><tr><th>round</th><th>judgments</th><th>served checkpoint</th><th>gate</th><th>")
                .append(world.alignmentName()).append("</th><th>Δ vs base</th><th>win rate vs base (ties ½)</th>"
                + "<th>decisive</th><th>oracle</th><th>training, last step</th><th>wall s</th></tr>\n");
        double base = rounds.get(0).alignment();
        for (Round r : rounds) {
            double delta = 100 * (r.alignment() - base);
            html.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%.3f</td>"
                    + "<td class=\"%s\">%+.1f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.0f</td></tr>\n", r.round(),
                    r.judgments(), r.checkpoint(), escape(r.verdict()), r.alignment(), delta >= 0 ? "up" : "down", delta,
                    r.winRate() == null ? "–" : String.format(Locale.ROOT, "%.3f", r.winRate().tiesHalf()),
                    r.winRate() == null ? "–" : String.format(Locale.ROOT, "%.3f", r.winRate().decisive()),
                    escape(r.evaluation().detail()), r.training() == null ? "–" : escape(r.training().summary()),
                    r.seconds()));
        }
        html.append("</table>\n<h2>Curves</h2>\n").append(chart(rounds, world.alignmentName()));
        html.append("<h2>Training, per round</h2>\n").append(TrainingCharts.html(rounds));
        html.append("<h2>Samples per served checkpoint</h2>\n");
        String last = null;
        for (Round r : rounds) {
            if (r.checkpoint().equals(last)) {
                continue;
            }
            last = r.checkpoint();
            html.append("<h3>").append(escape(r.checkpoint())).append(" (round ").append(r.round()).append(")</h3>\n")
                    .append("<table class=\"grid\">");
            for (Map.Entry<String, List<Evaluation.Shown>> e : r.evaluation().samples().entrySet()) {
                html.append("<tr><td>").append(escape(e.getKey())).append("</td><td>");
                for (Evaluation.Shown shown : e.getValue()) {
                    if (shown.png() != null) {
                        html.append("<img alt=\"\" src=\"data:image/png;base64,")
                                .append(Base64.getEncoder().encodeToString(shown.png())).append("\">");
                    } else {
                        html.append("<pre>").append(escape(shown.text())).append("</pre>");
                    }
                }
                html.append("</td></tr>");
            }
            html.append("</table>\n");
        }
        html.append("</body></html>\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, html);
    }

    /** Alignment (blue) and win rate against the base (green) by round, as an inline SVG. */
    private static String chart(List<Round> rounds, String alignmentName) {
        int w = 600;
        int h = 240;
        int pad = 40;
        double dx = (w - 2.0 * pad) / Math.max(1, rounds.size() - 1);
        StringBuilder alignment = new StringBuilder();
        StringBuilder wins = new StringBuilder();
        for (int i = 0; i < rounds.size(); i++) {
            double x = pad + i * dx;
            alignment.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, h - pad - rounds.get(i).alignment() * (h - 2 * pad)));
            double win = rounds.get(i).winRate() == null ? 0.5 : rounds.get(i).winRate().tiesHalf();
            wins.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, h - pad - win * (h - 2 * pad)));
        }
        return String.format(Locale.ROOT, """
                <svg width="%d" height="%d" role="img" aria-label="alignment and win rate by round">
                <line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>
                <text x="4" y="%d">1</text><text x="4" y="%d">0</text><text x="%d" y="%d">round</text>
                <polyline fill="none" stroke="#1f5fbf" stroke-width="2" points="%s"/>
                <polyline fill="none" stroke="#2a8a2a" stroke-width="2" stroke-dasharray="4 3" points="%s"/>
                <text x="%d" y="16" fill="#1f5fbf">%s</text><text x="%d" y="32" fill="#2a8a2a">win rate vs base</text>
                </svg>
                """, w, h, pad, h - pad, w - pad, h - pad, pad, pad, pad, h - pad, pad + 4, h - pad, w - pad - 40,
                h - pad + 20, alignment, wins, w - 170, escape(alignmentName), w - 170);
    }

    private static String escape(String s) {
        return TrainingCharts.escape(s);
    }
}
