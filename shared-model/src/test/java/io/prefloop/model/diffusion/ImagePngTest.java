package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePngTest {

    @Test
    void pixelsMapToValuesAndBackWithoutDrift() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = new float[3 * 2 * 2];
            values[0] = -1f;          // red channel of (0,0): black
            values[1] = 1f;           // red of (0,1): full
            values[4] = 0f;           // green of (0,0): 127.5 rounds to 128
            values[11] = -2f;         // blue of (1,1): clamped to 0
            byte[] png = ImagePng.encode(m.create(values, new Shape(3, 2, 2)));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');

            NDArray decoded = ImagePng.decode(m, List.of(png, png), 2);
            assertThat(decoded.getShape()).isEqualTo(new Shape(2, 3, 2, 2));
            float[] back = decoded.get(0).toFloatArray();
            assertThat(back[0]).isEqualTo(-1f);
            assertThat(back[1]).isEqualTo(1f);
            assertThat(back[4]).isEqualTo(128 / 127.5f - 1f);
            assertThat(back[11]).isEqualTo(-1f);
            assertThat(ImagePng.encode(decoded.get(1))).isEqualTo(png);
        }
    }

    @Test
    void refusesImagesOfAnotherSizeAndNonImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] png = ImagePng.encode(m.zeros(new Shape(3, 4, 4)));
            assertThatThrownBy(() -> ImagePng.decode(m, List.of(png), 16)).hasMessageContaining("4×4");
            assertThatThrownBy(() -> ImagePng.decode(m, List.of(new byte[] {1, 2, 3}), 4))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
