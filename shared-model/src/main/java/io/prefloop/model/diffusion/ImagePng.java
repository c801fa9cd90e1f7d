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
        if (shape.dimension() != 3 || shape.get(0) != 3) {
            throw new IllegalArgumentException("expected an RGB image (3, H, W), got " + shape);
        }
        int h = (int) shape.get(1);
        int w = (int) shape.get(2);
        float[] v = image.toFloatArray();
        BufferedImage png = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = pixel(v[y * w + x]);
                int g = pixel(v[h * w + y * w + x]);
                int b = pixel(v[2 * h * w + y * w + x]);
                png.setRGB(x, y, (r << 16) | (g << 8) | b);
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
        float[] batch = new float[pngs.size() * 3 * size * size];
        for (int i = 0; i < pngs.size(); i++) {
            BufferedImage image = read(pngs.get(i));
            if (image.getWidth() != size || image.getHeight() != size) {
                throw new IllegalArgumentException("image " + i + " is " + image.getWidth() + "×" + image.getHeight()
                        + "; the model works on " + size + "×" + size);
            }
            int offset = i * 3 * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int rgb = image.getRGB(x, y);
                    batch[offset + y * size + x] = value((rgb >> 16) & 0xff);
                    batch[offset + size * size + y * size + x] = value((rgb >> 8) & 0xff);
                    batch[offset + 2 * size * size + y * size + x] = value(rgb & 0xff);
                }
            }
        }
        return manager.create(batch, new Shape(pngs.size(), 3, size, size));
    }

    private static BufferedImage read(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            if (image == null) {
                throw new IllegalArgumentException("not a readable image");
            }
            return image;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable PNG: " + e.getMessage(), e);
        }
    }

    private static int pixel(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    private static float value(int p) {
        return p / 127.5f - 1f;
    }
}
