package io.prefloop.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A service started on the data directory of one that is still running must refuse to start and
 * leave the first one's PostgreSQL alone; once the first is gone (here SIGKILL, its PostgreSQL left
 * running), the directory is free and the leftover server is stopped as an orphan.
 */
class DataDirectoryLockTest {

    private static final Pattern READY = Pattern.compile("^ready (\\d+)$", Pattern.MULTILINE);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class));

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopHolders() throws InterruptedException {
        for (Process holder : started) {
            holder.destroy(); // graceful: its PostgreSQL stops with it
            if (!holder.waitFor(60, TimeUnit.SECONDS)) {
                holder.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aSecondStartOnARunningServicesDirectoryIsRefusedAndTheFirstKeepsServing() throws Exception {
        Path data = dir.resolve("feedback");
        Process first = holder(data, dir.resolve("first.log"));
        int port = awaitReady(first, dir.resolve("first.log"));
        String url = "jdbc:postgresql://localhost:" + port + "/feedback";
        query(url, "create table kept (v text)", "insert into kept values ('judgment')");

        Process second = holder(data, dir.resolve("second.log"));
        assertThat(second.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(second.exitValue()).isNotZero();
        assertThat(dir.resolve("second.log")).content().contains("APPLICATION FAILED TO START")
                .contains("Data directory " + data + " is in use by process " + first.pid()
                        + "; stop it first or use another directory");

        assertThat(first.isAlive()).isTrue();
        assertThat(query(url, "select v from kept")).isEqualTo("judgment");

        first.destroyForcibly().waitFor(); // its PostgreSQL keeps running, an orphan now
        assertThat(query(url, "select v from kept")).isEqualTo("judgment");
        runner.withPropertyValues("spring.application.name=feedback", "prefloop.embedded-postgres.data-dir=" + data)
                .run(next -> {
                    assertThat(next).hasNotFailed();
                    JdbcClient jdbc = JdbcClient.create(next.getBean(DataSource.class));
                    assertThat(jdbc.sql("select v from kept").query(String.class).single()).isEqualTo("judgment");
                });
    }

    @Test
    void aSecondContextInTheSameProcessIsRefusedToo() {
        String dataDir = "prefloop.embedded-postgres.data-dir=" + dir.resolve("trainer");
        runner.withPropertyValues("spring.application.name=trainer", dataDir).run(running -> {
            runner.withPropertyValues("spring.application.name=trainer", dataDir).run(second -> assertThat(second
                    .getStartupFailure()).rootCause().isInstanceOf(DataDirectoryLock.DataDirectoryInUseException.class)
                    .hasMessageContaining("in use by process " + ProcessHandle.current().pid()));
            JdbcClient jdbc = JdbcClient.create(running.getBean(DataSource.class));
            assertThat(jdbc.sql("select 1").query(Integer.class).single()).isEqualTo(1);
        });
    }

    private Process holder(Path data, Path log) throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), data.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        started.add(holder);
        return holder;
    }

    /** Runs each statement; answers the first column of the last one's first row, if it has rows. */
    private static String query(String url, String... statements) throws Exception {
        String answer = null;
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                if (statement.execute(sql)) {
                    try (ResultSet rows = statement.getResultSet()) {
                        answer = rows.next() ? rows.getString(1) : null;
                    }
                }
            }
        }
        return answer;
    }

    private int awaitReady(Process holder, Path log) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher ready = READY.matcher(text);
            if (ready.find()) {
                return Integer.parseInt(ready.group(1));
            }
            if (!holder.isAlive()) {
                throw new IllegalStateException("The service exited:\n" + text);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The service did not start:\n" + Files.readString(log));
    }

    /** A service in a process of its own: its embedded PostgreSQL on the directory given, until the process ends. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(EmbeddedPostgresAutoConfiguration.class)
    public static class Holder {

        public static void main(String[] args) throws InterruptedException {
            SpringApplication application = new SpringApplication(Holder.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.setDefaultProperties(Map.<String, Object>of("spring.application.name", "feedback",
                    "prefloop.embedded-postgres.data-dir", args[0]));
            ConfigurableApplicationContext context = application.run();
            context.getBean(DataSource.class);
            System.out.println("ready " + context.getBean(EmbeddedPostgres.class).getPort());
            new CountDownLatch(1).await(); // SIGTERM closes the context through its shutdown hook
        }
    }
}
