package io.prefloop.model.nn;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Gives the memory that native code freed back to the operating system: the JVM's
 * {@code System.trim_native_heap} diagnostic command (glibc's {@code malloc_trim}), called through
 * the platform's DiagnosticCommand MBean.
 *
 * <p>Why: tensors live in native memory, and glibc keeps what they free cached in its arenas. A
 * trainer worker measured 1,171 MB of resident memory after a few jobs with no array left open, of
 * which trimming returned 603 MB; without it the resident set grows in steps with every job or
 * request path that needs a larger working set once (docs/benchmarks.md). Trimming takes
 * milliseconds, so it runs where much was freed at once: after a job, a proposals call, a swap.
 * Where the command does not exist (not glibc, an older JDK) it does nothing.
 */
public final class NativeHeap {

    private NativeHeap() {}

    /** Trims; returns what it gave back (e.g. {@code RSS+Swap: 1171M->568M (-603M)}), if it ran. */
    public static Optional<String> trim() {
        try {
            Object report = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return Optional.ofNullable(report).map(r -> r.toString().replace("Trim native heap:", "").strip());
        } catch (JMException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
