package io.prefloop.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceSettingTest {

    private static final String P = "prefloop.x.device";

    @Test
    void autoTakesTheFirstGpuWhenThereIsOneAndTheCpuOtherwise() {
        assertThat(DeviceSetting.choose(P, "auto", () -> 2)).isEqualTo(Device.gpu(0));
        assertThat(DeviceSetting.choose(P, "auto", () -> 0)).isEqualTo(Device.cpu());
        assertThat(DeviceSetting.choose(P, " CPU ", () -> 4)).isEqualTo(Device.cpu());
        assertThat(DeviceSetting.choose(P, "gpu:1", () -> 2)).isEqualTo(Device.gpu(1));
    }

    @Test
    void aGpuThatIsNotThereOrASettingThatMeansNothingIsRefused() {
        assertThatThrownBy(() -> DeviceSetting.choose(P, "gpu", () -> 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(P + "=gpu").hasMessageContaining("0 GPU");
        assertThatThrownBy(() -> DeviceSetting.choose(P, "gpu:3", () -> 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DeviceSetting.choose(P, "tpu", () -> 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(P);
        assertThatThrownBy(() -> DeviceSetting.choose(P, "gpu:-1", () -> 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceSetting.choose(P, "gpu:x", () -> 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void autoIsWhatTheEngineSees() {
        Device device = DeviceSetting.choose(P, "auto");
        assertThat(device.isGpu()).isEqualTo(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() > 0);
    }
}
