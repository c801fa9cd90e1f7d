package io.prefloop.inference.serving;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Where models run, from {@code prefloop.inference.device}: {@code auto} takes the first GPU when
 * the PyTorch engine sees one and the CPU otherwise; {@code cpu}; {@code gpu} or {@code gpu:N}
 * insist on that GPU and refuse to start without it.
 */
public final class InferenceDevice {

    private InferenceDevice() {}

    public static Device choose(String setting) {
        return choose(setting, () -> Engine.getEngine("PyTorch").getGpuCount());
    }

    static Device choose(String setting, IntSupplier gpuCount) {
        String value = setting.trim().toLowerCase(Locale.ROOT);
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        if (value.equals("auto")) {
            return gpuCount.getAsInt() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (value.equals("gpu") || value.startsWith("gpu:")) {
            int index;
            try {
                index = value.equals("gpu") ? 0 : Integer.parseInt(value.substring(4));
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new IllegalArgumentException(
                        "prefloop.inference.device must be auto, cpu, gpu or gpu:N, not '" + setting + "'");
            }
            int gpus = gpuCount.getAsInt();
            if (index >= gpus) {
                throw new IllegalStateException("prefloop.inference.device=" + setting + " but the PyTorch engine sees "
                        + gpus + " GPU(s)");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException(
                "prefloop.inference.device must be auto, cpu, gpu or gpu:N, not '" + setting + "'");
    }
}
