package io.prefloop.feedback.candidate;

import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.FeedbackProperties;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.springframework.stereotype.Component;

/**
 * Accepts only real PNGs within the configured limits. The header's dimensions are checked
 * before the pixels are decoded, so a small file that claims a huge image is refused cheaply.
 */
@Component
public class PngCheck {

    public record CheckedPng(byte[] bytes, int width, int height) {}

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final FeedbackProperties limits;

    PngCheck(FeedbackProperties limits) {
        this.limits = limits;
    }

    public CheckedPng check(byte[] bytes) {
        if (bytes.length > limits.maxImageSize().toBytes()) {
            throw ApiException.invalid("image_base64", "image is " + bytes.length + " bytes; the limit is "
                    + limits.maxImageSize().toBytes());
        }
        if (bytes.length < SIGNATURE.length || !java.util.Arrays.equals(bytes, 0, SIGNATURE.length, SIGNATURE, 0,
                SIGNATURE.length)) {
            throw ApiException.invalid("image_base64", "is not a PNG image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw ApiException.invalid("image_base64", "is not a readable PNG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width > limits.maxImageSide() || height > limits.maxImageSide()
                        || (long) width * height > limits.maxImagePixels()) {
                    throw ApiException.invalid("image_base64", "image is " + width + "×" + height
                            + "; the limits are " + limits.maxImageSide() + " pixels a side and "
                            + limits.maxImagePixels() + " pixels in all");
                }
                BufferedImage image = reader.read(0);
                return new CheckedPng(bytes, image.getWidth(), image.getHeight());
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.invalid("image_base64", "is a damaged PNG: " + e.getMessage());
        }
    }
}
