package io.prefloop.feedback.web;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Small 32×32 PNGs of a coloured shape, like the shapes world's, for the pages' tests and screenshots. */
final class Shapes {

    private Shapes() {}

    static byte[] png(boolean circle, int rgb, int variant) {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0xf4f1ea));
        g.fillRect(0, 0, 32, 32);
        g.setColor(new Color(rgb));
        int size = 14 + variant % 5 * 2;
        int x = 4 + variant * 3 % (28 - size);
        int y = 4 + variant * 5 % (28 - size);
        if (circle) {
            g.fillOval(x, y, size, size);
        } else {
            g.fillRect(x, y, size, size);
        }
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
