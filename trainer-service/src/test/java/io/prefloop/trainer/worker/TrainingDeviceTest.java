package io.prefloop.trainer.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class TrainingDeviceTest {

    @Test
    void autoTakesTheFirstGpuWhenThereIsOneAndTheCpuOtherwise() {
        assertThat(TrainingDevice.choose("auto", () -> 2)).isEqualTo(Device.gpu(0));
        assertThat(TrainingDevice.choose("auto", () -> 0)).isEqualTo(Device.cpu());
        assertThat(TrainingDevice.choose("CPU", () -> 4)).isEqualTo(Device.cpu());
        assertThat(TrainingDevice.choose("gpu:1", () -> 2)).isEqualTo(Device.gpu(1));
    }

    @Test
    void aGpuThatIsNotThereOrANonsenseSettingStopsTheWorkerFromStarting() {
        assertThatThrownBy(() -> TrainingDevice.choose("gpu", () -> 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees 0 GPU(s)");
        assertThatThrownBy(() -> TrainingDevice.choose("gpu:3", () -> 2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TrainingDevice.choose("tpu", () -> 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainingDevice.choose("gpu:-1", () -> 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onThisMachineAutoIsWhatTheEngineSees() {
        Device device = TrainingDevice.choose("auto");
        assertThat(device.isGpu()).isEqualTo(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() > 0);
    }
}
