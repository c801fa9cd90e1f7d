package io.prefloop.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Where a service runs its models, from a setting such as {@code prefloop.trainer.workers.device}:
 * {@code auto} takes the first GPU when the PyTorch engine sees one and the CPU otherwise;
 * {@code cpu}; {@code gpu} or {@code gpu:N} insist on that GPU and refuse to start without it (a
 * GPU pod silently running on its CPU would be far worse than a pod that does not start).
 */
public final class DeviceSetting {

    private DeviceSetting() {}

    /** @param property the setting's name, for the error messages */
    public static Device choose(String property, String setting) {
        return choose(property, setting, () -> Engine.getEngine("PyTorch").getGpuCount());
    }

    public static Device choose(String property, String setting, IntSupplier gpuCount) {
        String value = setting.trim().toLowerCase(Locale.ROOT);
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        if (value.equals("auto")) {
            return gpuCount.getAsInt() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (value.equals("gpu") || value.startsWith("gpu:")) {
            int index = value.equals("gpu") ? 0 : parseIndex(value.substring(4));
            if (index < 0) {
                throw invalid(property, setting);
            }
            int gpus = gpuCount.getAsInt();
            if (index >= gpus) {
                throw new IllegalStateException(property + "=" + setting + " but the PyTorch engine sees " + gpus
                        + " GPU(s); check the CUDA natives (PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR) and the node");
            }
            return Device.gpu(index);
        }
        throw invalid(property, setting);
    }

    private static int parseIndex(String index) {
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static IllegalArgumentException invalid(String property, String setting) {
        return new IllegalArgumentException(property + " must be auto, cpu, gpu or gpu:N, not '" + setting + "'");
    }
}
