package io.prefloop.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that survive a crash whole or not at all: the bytes go to a new file and are forced to
 * disk, then a rename within the same directory makes them visible at once.
 */
public final class DurableFiles {

    private DurableFiles() {}

    /** Writes {@code file} (which must not exist yet) and forces it to disk. */
    public static void writeNew(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
    }

    /** Writes the bytes to a dot-file beside {@code target}, then renames it to {@code target}. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(".tmp-" + target.getFileName());
        writeNew(tmp, bytes);
        rename(tmp, target);
    }

    /** Renames a file or a directory in one step: readers see the old name or the new, never half. */
    public static void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes a rename into {@code dir} durable; best effort, since not every file system lets a directory be opened. */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
