package io.prefloop.inference.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** RGB images in [−1, 1], channels first (3, H, W), to and from PNG. */
public final class Png {

    private Png() {}

    public static byte[] encode(float[] chw, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                image.setRGB(x, y, level(chw[i]) << 16 | level(chw[plane + i]) << 8 | level(chw[2 * plane + i]));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** (3, size, size) in [−1, 1]; null when the bytes are not a PNG. */
    public static float[] decode(byte[] png, int size) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (image == null || image.getWidth() != size || image.getHeight() != size) {
            return null;
        }
        int plane = size * size;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = image.getRGB(x, y);
                int i = y * size + x;
                chw[i] = ((rgb >> 16) & 0xff) / 127.5f - 1;
                chw[plane + i] = ((rgb >> 8) & 0xff) / 127.5f - 1;
                chw[2 * plane + i] = (rgb & 0xff) / 127.5f - 1;
            }
        }
        return chw;
    }

    private static int level(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
    }
}
