package io.prefloop.common.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a service is killed (kill -9, OOM killer, power loss of the JVM only), its embedded
 * PostgreSQL keeps running as an orphan and holds the data directory, so the next start would
 * fail. This stops such an orphan first; PostgreSQL then recovers from its WAL on start, and every
 * committed transaction is still there. Called only with the directory's {@link DataDirectoryLock}
 * held: a PostgreSQL whose service is alive is not an orphan, and that service holds the lock.
 */
final class StalePostmaster {

    private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private StalePostmaster() {}

    static void stopIfRunning(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> postmaster = lines.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
                        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (postmaster.isEmpty()) {
            return; // a leftover pid file of a dead server: PostgreSQL handles it itself
        }
        log.warn("Stopping an orphaned PostgreSQL (pid {}) left on {} by a service that did not shut down",
                postmaster.get().pid(), dataDir);
        fastShutdown(postmaster.get());
        Instant deadline = Instant.now().plus(PATIENCE);
        while (postmaster.get().isAlive() && Instant.now().isBefore(deadline)) {
            sleep();
        }
        if (postmaster.get().isAlive()) {
            postmaster.get().destroyForcibly();
            while (postmaster.get().isAlive()) {
                sleep();
            }
        }
    }

    /** SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients instead of waiting for them. */
    private static void fastShutdown(ProcessHandle postmaster) throws IOException {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).start().waitFor();
        } catch (IOException e) {
            postmaster.destroy(); // no kill(1): SIGTERM, PostgreSQL's smart shutdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
