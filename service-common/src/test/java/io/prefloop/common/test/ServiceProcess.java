package io.prefloop.common.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prefloop service in a JVM of its own, on its embedded PostgreSQL, as a user runs it: started
 * from a main class on this test's classpath, or from a service's executable jar.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Pattern POSTGRES_PORT = Pattern.compile("Embedded PostgreSQL on port (\\d+)");

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code mainClass} from this classpath, database in {@code dir/db}, log in {@code dir/service.log}. */
    public static ServiceProcess start(Class<?> mainClass, Path dir, int port, Map<String, String> environment)
            throws IOException {
        return start(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()), dir, port, environment);
    }

    /**
     * Starts a sibling module's executable jar ({@code ../<module>/target/<module>-*.jar}), which
     * {@code mvn verify} builds before the modules that depend on it run their tests.
     */
    public static ServiceProcess startJar(String module, Path dir, int port, Map<String, String> environment)
            throws IOException {
        Path target = Path.of("..", module, "target").toAbsolutePath().normalize();
        Path jar;
        try (var files = Files.list(target)) {
            jar = files.filter(f -> f.getFileName().toString().matches(module + "-[0-9][^/]*\\.jar"))
                    .filter(f -> !f.getFileName().toString().endsWith("-plain.jar")).findFirst().orElseThrow();
        } catch (IOException | java.util.NoSuchElementException e) {
            throw new IllegalStateException("No executable jar of " + module + " in " + target
                    + ": run the tests with `mvn verify` (or `mvn -pl " + module + " package` first)");
        }
        return start(List.of("-jar", jar.toString()), dir, port, environment);
    }

    private static ServiceProcess start(List<String> what, Path dir, int port, Map<String, String> environment)
            throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("service.log");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Xmx512m"));
        command.addAll(what);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("SPRING_DATASOURCE_URL");
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("PREFLOOP_EMBEDDED_POSTGRES_DATA_DIR", dir.resolve("db").toString());
        builder.environment().putAll(environment);
        ServiceProcess service = new ServiceProcess(builder.start(), log, port);
        service.awaitReady();
        return service;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    public long pid() {
        return process.pid();
    }

    /** The process's resident memory (VmRSS): Java heap and native memory (tensors, malloc arenas, code). */
    public long residentMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid());
    }

    /** The JVM's committed heap, from the service's metrics endpoint (the part of the RSS Java manages). */
    public long heapCommittedMb(String adminKey) {
        ApiClient.Response r = api().get("/actuator/metrics/jvm.memory.committed?tag=area:heap", adminKey);
        if (r.status() != 200) {
            throw new IllegalStateException("metrics answered " + r.status() + ": " + r.body());
        }
        return (long) (r.json().get("measurements").get(0).get("value").asDouble() / (1024 * 1024));
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The port of the service's embedded PostgreSQL, read from its log. */
    public int postgresPort() throws IOException {
        Matcher m = POSTGRES_PORT.matcher(log());
        int found = -1;
        while (m.find()) {
            found = Integer.parseInt(m.group(1)); // the last start's
        }
        if (found > 0) {
            return found;
        }
        throw new IllegalStateException("No embedded PostgreSQL in the log");
    }

    /** SIGKILL: no shutdown hook runs, as when the machine or the OOM killer takes the process. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // graceful: the service closes its embedded PostgreSQL
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private void awaitReady() {
        ApiClient api = api();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (api.get("/actuator/health/readiness", null).status() == 200) {
                    return;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("The service exited; see " + log);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("The service did not become ready; see " + log);
    }
}
