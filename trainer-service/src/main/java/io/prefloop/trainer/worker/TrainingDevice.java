package io.prefloop.trainer.worker;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Chooses where a worker trains from {@code prefloop.trainer.device}: {@code auto} takes the first
 * GPU when the PyTorch engine sees one and the CPU otherwise; {@code cpu}; {@code gpu} or
 * {@code gpu:N} insist on a GPU and refuse to start without it (a GPU pod silently training on its
 * CPU would be far worse than a pod that does not start).
 */
public final class TrainingDevice {

    private TrainingDevice() {}

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
            int index = value.equals("gpu") ? 0 : parseIndex(value.substring(4), setting);
            int gpus = gpuCount.getAsInt();
            if (index >= gpus) {
                throw new IllegalStateException("prefloop.trainer.device=" + setting + " but the PyTorch engine sees "
                        + gpus + " GPU(s); check the CUDA natives (PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR) and the node");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("prefloop.trainer.device must be auto, cpu, gpu or gpu:N, not '" + setting + "'");
    }

    private static int parseIndex(String index, String setting) {
        try {
            int parsed = Integer.parseInt(index);
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefloop.trainer.device must be auto, cpu, gpu or gpu:N, not '"
                    + setting + "'");
        }
    }
}
