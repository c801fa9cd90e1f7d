package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Images between the network's tensors (C, H, W) in [−1, 1] and 8-bit RGB PNG files, the form in
 * which they travel between the services. Pixel p ↔ value v: p = round((v + 1)·127.5) clamped to
 * 0–255, v = p/127.5 − 1, so a decoded image re-encodes to the same bytes.
 */
public final class ImagePng {

    private ImagePng() {}

    /** @param image (3, H, W) in [−1, 1] */
    public static byte[] encode(NDArray image) {
        Shape shape = image.getShape();
        if (shape.dimension() != 3 || shape.get(0) != 3 || shape.get(1) != shape.get(2)) {
            throw new IllegalArgumentException("expected a square RGB image (3, H, H), got " + shape);
        }
        return encode(image.toFloatArray(), (int) shape.get(1));
    }

    /** @param chw a (3, size, size) image in [−1, 1], channels first */
    public static byte[] encode(float[] chw, int size) {
        BufferedImage png = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                png.setRGB(x, y, (pixel(chw[i]) << 16) | (pixel(chw[plane + i]) << 8) | pixel(chw[2 * plane + i]));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(png, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Decodes PNGs of {@code size}×{@code size} into one batch (N, 3, size, size) in [−1, 1]. */
    public static NDArray decode(NDManager manager, List<byte[]> pngs, int size) {
        int per = 3 * size * size;
        float[] batch = new float[pngs.size() * per];
        for (int i = 0; i < pngs.size(); i++) {
            BufferedImage image = read(pngs.get(i));
            if (image.getWidth() != size || image.getHeight() != size) {
                throw new IllegalArgumentException("image " + i + " is " + image.getWidth() + "×" + image.getHeight()
                        + "; the model works on " + size + "×" + size);
            }
            System.arraycopy(pixels(image, size), 0, batch, i * per, per);
        }
        return manager.create(batch, new Shape(pngs.size(), 3, size, size));
    }

    /** One PNG of {@code size}×{@code size} as (3, size, size) in [−1, 1]; null when it is not one. */
    public static float[] decodeOrNull(byte[] png, int size) {
        try {
            BufferedImage image = read(png);
            return image.getWidth() == size && image.getHeight() == size ? pixels(image, size) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static float[] pixels(BufferedImage image, int size) {
        int plane = size * size;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = image.getRGB(x, y);
                int i = y * size + x;
                chw[i] = value((rgb >> 16) & 0xff);
                chw[plane + i] = value((rgb >> 8) & 0xff);
                chw[2 * plane + i] = value(rgb & 0xff);
            }
        }
        return chw;
    }

    private static BufferedImage read(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable PNG: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not a readable image");
        }
        return image;
    }

    private static int pixel(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    private static float value(int p) {
        return p / 127.5f - 1f;
    }
}
