package io.prefloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class InferenceDeviceTest {

    @Test
    void autoTakesAGpuWhenThereIsOneAndGpuInsistsOnIt() {
        assertThat(InferenceDevice.choose("auto", () -> 0)).isEqualTo(Device.cpu());
        assertThat(InferenceDevice.choose("auto", () -> 2)).isEqualTo(Device.gpu(0));
        assertThat(InferenceDevice.choose(" CPU ", () -> 2)).isEqualTo(Device.cpu());
        assertThat(InferenceDevice.choose("gpu:1", () -> 2)).isEqualTo(Device.gpu(1));
        assertThatThrownBy(() -> InferenceDevice.choose("gpu", () -> 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees 0 GPU");
        assertThatThrownBy(() -> InferenceDevice.choose("gpu:x", () -> 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InferenceDevice.choose("tpu", () -> 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
