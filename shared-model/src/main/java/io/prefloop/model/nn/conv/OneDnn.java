package io.prefloop.model.nn.conv;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Switches oneDNN (mkldnn) on or off inside the libtorch that DJL loaded:
 * {@code at::globalContext().setUserEnabledMkldnn(bool)}, as {@code torch.backends.mkldnn.enabled}
 * does in Python. DJL 0.36 has no switch for it, so this calls the C++ symbols through JNA on the
 * library already mapped into the process (found in /proc/self/maps, Linux only).
 */
final class OneDnn {

    private static final String CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_ENABLED = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String IS_ENABLED = "_ZNK2at7Context17userEnabledMkldnnEv";

    private OneDnn() {}

    /** Sets the switch and returns what libtorch reports afterwards; empty when it cannot be reached. */
    static Optional<Boolean> setEnabled(boolean on) {
        try {
            Optional<Path> lib = loadedLibtorch();
            if (lib.isEmpty()) {
                return Optional.empty();
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib.get().toString());
            Pointer context = torch.getFunction(CONTEXT).invokePointer(new Object[0]);
            torch.getFunction(SET_ENABLED).invokeVoid(new Object[] {context, on ? 1 : 0});
            Function isEnabled = torch.getFunction(IS_ENABLED);
            return Optional.of((isEnabled.invokeInt(new Object[] {context}) & 0xff) != 0);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> loadedLibtorch() {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/libtorch_cpu.so"))
                    .findFirst()
                    .map(Path::of);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
