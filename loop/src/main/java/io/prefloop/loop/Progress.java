package io.prefloop.loop;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn in place, for the long steps of a round. */
final class Progress {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private String label = "";
    private boolean shown;

    Progress(PrintStream out) {
        this.out = out;
    }

    synchronized void show(String label, long done, long total) {
        this.label = label;
        int filled = total <= 0 ? 0 : (int) Math.min(WIDTH, WIDTH * done / total);
        out.print("\r  " + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total
                + "   ");
        out.flush();
        shown = true;
    }

    synchronized void clear() {
        if (shown) {
            out.print("\r" + " ".repeat(label.length() + WIDTH + 30) + "\r");
            out.flush();
            shown = false;
        }
    }
}
