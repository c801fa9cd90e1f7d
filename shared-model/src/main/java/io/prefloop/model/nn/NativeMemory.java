package io.prefloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the engine holds outside the Java heap: the arrays still open under any manager, and the
 * process's resident memory. Tensors live in native memory, so a leak shows here and not in the
 * heap; logged after every job and batch so that growth can be told apart from the allocator
 * keeping freed memory (the arrays stay level while the RSS grows).
 *
 * @param liveArrays arrays not yet closed, under every manager of the engine
 * @param liveBytes their data in bytes
 * @param residentBytes the process's resident set (VmRSS), or -1 where /proc is not available
 */
public record NativeMemory(long liveArrays, long liveBytes, long residentBytes) {

    public static NativeMemory now() {
        long arrays = 0;
        long bytes = 0;
        try (NDManager probe = NDManager.newBaseManager()) {
            List<NDArray> live = probe.getParentManager().getManagedArrays();
            for (NDArray array : live) {
                if (array.isReleased()) {
                    continue;
                }
                arrays++;
                bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
            }
        } catch (RuntimeException e) {
            // a manager closed while it was being walked: a diagnostic, not worth failing for
            return new NativeMemory(-1, -1, processResidentBytes());
        }
        return new NativeMemory(arrays, bytes, processResidentBytes());
    }

    private static long processResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** e.g. {@code live arrays 12 (3.4 MB), RSS 812 MB}. */
    public String summary() {
        return String.format(Locale.ROOT, "live arrays %,d (%.1f MB), RSS %,d MB", liveArrays, liveBytes / 1e6,
                residentBytes / (1024 * 1024));
    }
}
