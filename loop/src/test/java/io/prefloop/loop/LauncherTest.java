package io.prefloop.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ServiceProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./prefloop} script, run in a copy of this repository without any build output (a
 * fresh clone), with {@code mvn}, {@code java} and {@code curl} replaced on the PATH by stubs that
 * record how they were called: the stub build writes empty jars, the stub services sleep until
 * stopped, the stub loop prints its round lines. The real build and the real loop are what CI runs
 * after the tests.
 */
@DisabledOnOs(OS.WINDOWS)
class LauncherTest {

    private static final String MVN = """
            #!/bin/sh
            echo "$*" >> "$STUB_RECORD/mvn"
            if [ -n "${STUB_MVN_FAIL:-}" ]; then echo "[ERROR] BUILD FAILURE"; exit 1; fi
            for m in feedback-service trainer-service inference-service loop; do
              mkdir -p "$m/target" && : > "$m/target/$m-0.1.0-SNAPSHOT.jar"
            done
            """;
    private static final String JAVA = """
            #!/bin/sh
            echo "$$ PORT=${PORT:-} $*" >> "$STUB_RECORD/java"
            case "$*" in
              *loop/target/loop-*)
                if [ -n "${STUB_LOOP_HANG:-}" ]; then exec sleep 120; fi
                echo "round 0 | judgments    0"; echo "round 1 | judgments  184"; exit 0 ;;
            esac
            if [ -n "${STUB_SERVICE_DIES:-}" ]; then echo "APPLICATION FAILED TO START"; exit 1; fi
            exec sleep 120
            """;
    private static final String CURL = """
            #!/bin/sh
            if [ -n "${STUB_SERVICE_DIES:-}" ]; then exit 7; fi
            """;

    @TempDir
    Path dir;

    private Path repo;
    private Path record;
    private Path bin;
    private List<Integer> ports;
    private Process launcher;

    @BeforeEach
    void freshClone() throws IOException {
        repo = dir.resolve("repo");
        copyWithoutBuildOutput(Path.of("..").toAbsolutePath().normalize(), repo);
        record = Files.createDirectories(dir.resolve("record"));
        bin = Files.createDirectories(dir.resolve("bin"));
        stub("mvn", MVN);
        stub("java", JAVA);
        stub("curl", CURL);
        ports = List.of(ServiceProcess.freePort(), ServiceProcess.freePort(), ServiceProcess.freePort());
    }

    @AfterEach
    void stopLeftovers() throws IOException {
        if (launcher != null) {
            launcher.destroyForcibly();
        }
        for (long pid : javaPids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aFreshCloneIsBuiltThenTheLoopRunsAndStopsItsServices() throws Exception {
        Result loop = run(Map.of(), "loop", "--world", "replies", "--rounds", "1");

        assertThat(loop.exit()).as(loop.output()).isZero();
        assertThat(loop.output()).contains("round 1 | judgments").contains("Stopping the services");
        assertThat(Files.readAllLines(record.resolve("mvn"))).containsExactly("-B -DskipTests package");
        assertThat(repo.resolve("data/logs/build.log")).exists();
        List<String> started = Files.readAllLines(record.resolve("java"));
        assertThat(started).hasSize(4);
        assertThat(started).anyMatch(l -> l.contains("PORT=" + ports.get(0) + " ") && l.contains("feedback-service"));
        assertThat(started).anyMatch(l -> l.contains("PORT=" + ports.get(2) + " ") && l.contains("inference-service"));
        assertThat(started).anyMatch(l -> l.contains("loop-0.1.0-SNAPSHOT.jar --report ")
                && l.endsWith("--world replies --rounds 1"));
        assertAllStopped();
    }

    @Test
    void upToDateJarsAreNotRebuilt_aSourceNewerThanTheJarsIs() throws Exception {
        assertThat(run(Map.of(), "build").output()).contains("data/logs/build.log");
        assertThat(Files.readAllLines(record.resolve("mvn"))).hasSize(1);

        assertThat(run(Map.of(), "loop").exit()).isZero();
        assertThat(Files.readAllLines(record.resolve("mvn"))).as("jars newer than every source").hasSize(1);

        Files.setLastModifiedTime(repo.resolve(
                "service-common/src/main/java/io/prefloop/common/db/StalePostmaster.java"),
                FileTime.from(Instant.now().plusSeconds(60)));
        Result stale = run(Map.of(), "loop");
        assertThat(stale.exit()).isZero();
        assertThat(stale.output()).contains("Building the jars");
        assertThat(Files.readAllLines(record.resolve("mvn"))).as("a source edited after the build").hasSize(2);
    }

    @Test
    void aFailedBuildSaysSoAndWhereItsLogIs() throws Exception {
        Result loop = run(Map.of("STUB_MVN_FAIL", "1"), "loop");

        Path log = repo.resolve("data/logs/build.log");
        assertThat(loop.exit()).isNotZero();
        assertThat(loop.output()).contains("prefloop: the build failed; see " + log);
        assertThat(log).content().contains("BUILD FAILURE");
        assertThat(record.resolve("java")).doesNotExist();
    }

    @Test
    void aTakenPortIsNamed_nothingIsBuiltOrStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(ports.get(1))) {
            for (String command : List.of("up", "loop")) {
                Result result = run(Map.of(), command);
                assertThat(result.exit()).isNotZero();
                assertThat(result.output())
                        .contains("prefloop: port " + ports.get(1) + " (trainer-service) is already in use");
            }
        }
        assertThat(record.resolve("mvn")).doesNotExist();
        assertThat(record.resolve("java")).doesNotExist();
    }

    @Test
    void aServiceThatExitsIsNamedWithItsLog() throws Exception {
        Result up = run(Map.of("STUB_SERVICE_DIES", "1"), "up");

        assertThat(up.exit()).isNotZero();
        assertThat(up.output()).contains("prefloop: the feedback-service stopped before it was ready; see "
                + repo.resolve("data/logs/feedback.log"));
        assertAllStopped();
    }

    @Test
    void sigtermStopsEveryChild_duringUp() throws Exception {
        launcher = start(Map.of(), "up");
        awaitOutput("Press Ctrl-C to stop.");
        assertThat(javaPids()).hasSize(3);

        launcher.destroy(); // SIGTERM
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(launcher.exitValue()).isEqualTo(143);
        assertAllStopped();
    }

    @Test
    void sigtermStopsEveryChild_duringTheLoop() throws Exception {
        launcher = start(Map.of("STUB_LOOP_HANG", "1"), "loop");
        Instant deadline = Instant.now().plusSeconds(30);
        while (javaPids().size() < 4 && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(javaPids()).as(output()).hasSize(4);

        launcher.destroy();
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("the launcher does not wait for the loop to end").isTrue();
        assertThat(launcher.exitValue()).isEqualTo(143);
        assertAllStopped();
    }

    record Result(int exit, String output) {}

    private Result run(Map<String, String> environment, String... args) throws Exception {
        launcher = start(environment, args);
        assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("./prefloop ended").isTrue();
        return new Result(launcher.exitValue(), output());
    }

    private Process start(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(repo.resolve("prefloop").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("PREFLOOP_") || k.equals("DJL_CACHE_DIR"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("STUB_RECORD", record.toString());
        env.put("PREFLOOP_PORTS", ports.get(0) + " " + ports.get(1) + " " + ports.get(2));
        env.putAll(environment);
        return builder.start();
    }

    private String output() throws IOException {
        Path output = dir.resolve("output.txt");
        return Files.exists(output) ? Files.readString(output) : "";
    }

    private void awaitOutput(String text) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!output().contains(text)) {
            assertThat(launcher.isAlive()).as(output()).isTrue();
            assertThat(Instant.now()).as(output()).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private List<Long> javaPids() throws IOException {
        Path started = record.resolve("java");
        if (!Files.exists(started)) {
            return List.of();
        }
        return Files.readAllLines(started).stream().map(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).toList();
    }

    private void assertAllStopped() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        for (long pid : javaPids()) {
            Optional<ProcessHandle> child = ProcessHandle.of(pid);
            while (child.map(ProcessHandle::isAlive).orElse(false) && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(child.map(ProcessHandle::isAlive).orElse(false)).as("process " + pid + " stopped").isFalse();
        }
    }

    private void stub(String name, String script) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, script);
        file.toFile().setExecutable(true);
    }

    /** The repository as a fresh clone has it: no target/, data/ or .djl-cache/. */
    private static void copyWithoutBuildOutput(Path from, Path to) throws IOException {
        Set<Path> skipped = Set.of(from.resolve(".git"), from.resolve("data"), from.resolve(".djl-cache"));
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attributes) throws IOException {
                if (skipped.contains(d) || d.getFileName().toString().equals("target")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile()) {
                    Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
