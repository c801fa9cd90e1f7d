package io.prefloop.common.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes an embedded PostgreSQL's data directory this process's while its service runs: an exclusive
 * lock on {@code <dir>.lock}, next to the directory (initdb wants the directory itself empty), with
 * the owner's pid written in it. A second service started on the same directory is refused instead
 * of stopping the first one's PostgreSQL as an orphan. The operating system releases the lock when
 * its owner dies, however it dies; the file itself stays, only the lock counts.
 */
final class DataDirectoryLock implements AutoCloseable {

    /**
     * Directories locked by this JVM. A second lock on the same file from the same JVM cannot be
     * tried, and closing a second channel on it would drop the first one's lock on some systems.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;

    private DataDirectoryLock(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    /** A throw-away directory of this process alone: nothing to lock. */
    static DataDirectoryLock temporary(Path dir) {
        return new DataDirectoryLock(dir, null);
    }

    /** Locks {@code dir} for this process, or fails naming the process that holds it. */
    static DataDirectoryLock acquire(Path dir) throws IOException {
        Path file = lockFileOf(dir);
        if (!HELD.add(dir)) {
            throw new DataDirectoryInUseException(dir, Long.toString(ProcessHandle.current().pid()));
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new DataDirectoryInUseException(dir, ownerOf(file));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
            return new DataDirectoryLock(dir, channel);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            HELD.remove(dir);
            throw e;
        }
    }

    static Path lockFileOf(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".lock");
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close(); // releases the lock
            HELD.remove(dir);
        }
    }

    private static String ownerOf(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.matches("[0-9]+") ? pid : null; // null: locked, pid not written yet
        } catch (IOException e) {
            return null;
        }
    }

    /** The data directory is held by another running process (or another service in this one). */
    static final class DataDirectoryInUseException extends IllegalStateException {

        DataDirectoryInUseException(Path dir, String pid) {
            super("Data directory " + dir + " is in use by " + (pid == null ? "another process" : "process " + pid)
                    + "; stop it first or use another directory");
        }
    }
}
