package io.prefloop.feedback.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import io.prefloop.feedback.FeedbackApplication;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Measures, does not test. Run:
 * {@code mvn -B test -pl feedback-service -am -Dgroups=benchmark -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}
 * Results go to {@code feedback-service/target/benchmarks/feedback.md}; docs/benchmarks.md keeps them.
 * {@code -Dbench.seconds=0} skips the judging part and measures the exports only.
 */
@Tag("benchmark")
class FeedbackBenchmark {

    private static final String ADMIN = "bench-admin-key";

    private static final int LABELERS = Integer.getInteger("bench.labelers", 32);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 30);
    private static final int EXPORT_ROWS = Integer.getInteger("bench.exportRows", 100_000);
    /** {@code -Dbench.next=true}: one request per judgment (POST ...?next=true answers with the next task). */
    private static final boolean ONE_REQUEST = Boolean.getBoolean("bench.next");
    /** {@code -Dbench.jfr=/path/service.jfr}: record the service JVM with Java Flight Recorder (profile settings). */
    private static final String JFR = System.getProperty("bench.jfr", "");
    /** Any other JVM options for the service, e.g. {@code -Xlog:gc}. */
    private static final String SERVICE_JAVA_OPTIONS = System.getProperty("bench.serviceJavaOptions", "");

    @TempDir
    Path dir;

    private final StringBuilder report = new StringBuilder();
    private ServiceProcess service;
    private ApiClient api;
    private PGSimpleDataSource postgres;
    private DataSource dataSource;
    private JdbcClient jdbc;
    private int port;

    @Test
    void measure() throws Exception {
        port = ServiceProcess.freePort();
        // the service runs as users run it: its own JVM (512 MiB heap), durable commits (fsync on)
        service = startService();
        try {
            api = service.api();
            postgres = new PGSimpleDataSource();
            postgres.setURL("jdbc:postgresql://localhost:" + service.postgresPort() + "/feedback");
            postgres.setUser("postgres");
            dataSource = postgres;
            jdbc = JdbcClient.create(dataSource);
            report.append("# feedback-service benchmark\n\n")
                    .append("- machine: ").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores; the service in its own JVM (-Xmx512m) on its embedded PostgreSQL with fsync on;")
                    .append(" the load generator in another JVM\n");
            if (SECONDS > 0) {
                judgments();
                pgbench();
            }
            exports();
        } finally {
            service.close();
        }
        Path out = Path.of("target/benchmarks/feedback.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println(report);
    }

    private ServiceProcess startService() throws IOException {
        Map<String, String> environment = new LinkedHashMap<>(Map.of("PREFLOOP_ADMIN_KEY", ADMIN));
        String options = SERVICE_JAVA_OPTIONS;
        if (!JFR.isBlank()) {
            // each start (a cold export restarts the service) overwrites the file with its own recording
            options += " -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + Path.of(JFR).toAbsolutePath();
        }
        if (!options.isBlank()) {
            // JDK_JAVA_OPTIONS is read by the java launcher, so the service's command line stays as users run it
            environment.put("JDK_JAVA_OPTIONS", options.strip());
        }
        return ServiceProcess.start(FeedbackApplication.class, dir, port, environment);
    }

    /** 32 labelers, each looping GET tasks/next → POST judgment, one judgment resolves a pair. */
    private void judgments() throws Exception {
        String project = createProject("text", 1, true);
        int pairs = (SECONDS + 10) * 3000;
        seedPairs(project, pairs);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < LABELERS; i++) {
            keys.add(createLabeler("bench " + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(LABELERS);
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong failures = new AtomicLong();
        Map<String, AtomicLong> failureKinds = new java.util.concurrent.ConcurrentHashMap<>();
        List<long[]> latencies = new ArrayList<>();
        List<Future<Integer>> counts = new ArrayList<>();
        for (String key : keys) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            counts.add(pool.submit(() -> {
                int n = 0;
                JsonNode task = null;
                while (running.get()) {
                    if (task == null || task.isNull()) {
                        ApiClient.Response next = api.get("/v1/projects/" + project + "/tasks/next", key);
                        if (next.status() != 200) {
                            failures.incrementAndGet();
                            failureKinds.computeIfAbsent("GET next " + next.status() + " " + next.body(),
                                    k -> new AtomicLong()).incrementAndGet();
                            continue;
                        }
                        task = next.json();
                    }
                    long start = System.nanoTime();
                    ApiClient.Response judged = api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments"
                            + (ONE_REQUEST ? "?next=true" : ""),
                            key, "{\"choice\":\"a\",\"elapsed_ms\":1000,\"task_id\":\"" + task.get("task_id").asString()
                                    + "\"}", Map.of("Idempotency-Key", task.get("task_id").asString()));
                    long took = System.nanoTime() - start;
                    task = null;
                    if (judged.status() != 201) {
                        failures.incrementAndGet();
                        failureKinds.computeIfAbsent("POST judgment " + judged.status() + " " + judged.body(),
                                k -> new AtomicLong()).incrementAndGet();
                    } else {
                        if (ONE_REQUEST) {
                            task = judged.json().get("next_task");
                        }
                        if (measuring.get() && n < mine.length) {
                            mine[n++] = took;
                        }
                    }
                }
                return n;
            }));
        }
        Thread.sleep(WARMUP_SECONDS * 1000L); // JIT (C2 competes for the same 2 cores), pools, caches
        long serviceTicks = cpuTicks(service.pid());
        long clientTicks = cpuTicks(ProcessHandle.current().pid());
        long postgresTicks = postgresTicks();
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(SECONDS * 1000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double serviceSeconds = (cpuTicks(service.pid()) - serviceTicks) / 100.0;
        double clientSeconds = (cpuTicks(ProcessHandle.current().pid()) - clientTicks) / 100.0;
        double postgresSeconds = (postgresTicks() - postgresTicks) / 100.0;
        running.set(false);
        long[] all = new long[0];
        for (int i = 0; i < counts.size(); i++) {
            int n = counts.get(i).get();
            long[] mine = Arrays.copyOf(latencies.get(i), n);
            long[] merged = Arrays.copyOf(all, all.length + n);
            System.arraycopy(mine, 0, merged, all.length, n);
            all = merged;
        }
        pool.shutdown();
        Arrays.sort(all);
        double rate = all.length / elapsed;
        report.append("\n## Judgments over HTTP (").append(LABELERS).append(" concurrent labelers, ").append(SECONDS)
                .append(" s after ").append(WARMUP_SECONDS).append(" s warm-up)\n\n")
                .append(ONE_REQUEST ? "Each labeler loops: POST the judgment with ?next=true (with Idempotency-Key), whose answer"
                        + " carries the next task (one request per judgment); every"
                        : "Each labeler loops: GET tasks/next, then POST the judgment (with Idempotency-Key); every")
                .append(" judgment resolves its pair (judgments_per_pair = 1), the most work a judgment can cause.\n\n")
                .append(String.format("| judgments/s | task+judgment cycles/s | POST p50 | POST p99 | failures |%n"))
                .append("|---|---|---|---|---|\n")
                .append(String.format("| %.0f | %.0f | %.1f ms | %.1f ms | %d |%n", rate, rate,
                        all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, failures.get()))
                .append(String.format("%nCPU per judgment: service %.1f ms, PostgreSQL %.1f ms,"
                        + " load generator %.1f ms. With the %d cores to themselves, service and PostgreSQL would"
                        + " top out near %.0f judgments/s.%n",
                        1000 * serviceSeconds / all.length, 1000 * postgresSeconds / all.length,
                        1000 * clientSeconds / all.length, Runtime.getRuntime().availableProcessors(),
                        Runtime.getRuntime().availableProcessors() * all.length / (serviceSeconds + postgresSeconds)));
        failureKinds.entrySet().stream().limit(10).forEach(f -> report.append("\n- failure ×")
                .append(f.getValue()).append(": `").append(f.getKey().replace('`', '\'')).append('`'));
        report.append('\n');
        lastJudgmentRate = rate;
    }

    private double lastJudgmentRate;

    /** The same machine's PostgreSQL alone: pgbench inserting a row like a judgment, same clients. */
    private void pgbench() throws Exception {
        Path pgbench = List.of("/usr/lib/postgresql/17/bin/pgbench", "/usr/lib/postgresql/16/bin/pgbench",
                        "/usr/lib/postgresql/15/bin/pgbench", "/usr/bin/pgbench").stream()
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (pgbench == null) {
            report.append("\n## pgbench reference\n\npgbench not found; skipped.\n");
            return;
        }
        jdbc.sql("""
                create table if not exists bench_judgments (
                    id uuid primary key, pair_id uuid not null, project_id uuid not null, labeler_id uuid not null,
                    task_id uuid, choice text not null, left_choice char(1), elapsed_ms int, idempotency_key text,
                    created_at timestamptz not null default now(), unique (pair_id, labeler_id))""").update();
        Path script = Files.createTempFile("judgment", ".sql");
        Files.writeString(script, """
                insert into bench_judgments (id, pair_id, project_id, labeler_id, task_id, choice, left_choice, elapsed_ms, idempotency_key)
                values (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'a', 'b', 1000, md5(random()::text));
                """);
        String url;
        try (var connection = dataSource.getConnection()) {
            url = connection.getMetaData().getURL();
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        Process process = new ProcessBuilder(pgbench.toString(), "-n", "-c", Integer.toString(LABELERS), "-j", "2",
                "-T", Integer.toString(SECONDS), "-f", script.toString(), "-h", uri.getHost(), "-p",
                Integer.toString(uri.getPort()), "-U", "postgres", uri.getPath().substring(1))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(SECONDS + 60L, TimeUnit.SECONDS);
        double tps = output.lines().filter(l -> l.startsWith("tps")).findFirst()
                .map(l -> Double.parseDouble(l.replaceAll("tps = ([0-9.]+).*", "$1"))).orElse(Double.NaN);
        String latency = output.lines().filter(l -> l.startsWith("latency average")).findFirst().orElse("");
        report.append("\n## pgbench reference\n\n")
                .append("`pgbench -c ").append(LABELERS).append(" -j 2 -T ").append(SECONDS)
                .append("` on the same PostgreSQL, one INSERT of a judgment-like row (same columns, primary key and")
                .append(" unique index) per transaction.\n\n")
                .append(String.format("| pgbench inserts/s | %s | service judgments/s ÷ pgbench |%n",
                        latency.isEmpty() ? "latency" : "latency avg"))
                .append("|---|---|---|\n")
                .append(String.format("| %.0f | %s | %.2f |%n", tps, latency.replaceAll(".*= ", ""),
                        lastJudgmentRate / tps));
        jdbc.sql("drop table bench_judgments").update();
    }

    /**
     * Every format over HTTP, each first cold (the first export after the service started) and then
     * warm (the same export again).
     */
    private void exports() throws Exception {
        String text = createProject("text", 1, true);
        seedResolved(text, EXPORT_ROWS);
        String image = createProject("image", 1, true);
        seedResolvedImages(image, EXPORT_ROWS);
        // the first reader of the feed numbers newly resolved pairs; a one-off, timed on its own
        long start = System.nanoTime();
        for (String project : List.of(text, image)) {
            assertThat(api.get("/v1/projects/" + project + "/comparisons?limit=1", ADMIN).status()).isEqualTo(200);
        }
        double sequencing = (System.nanoTime() - start) / 1e9;
        List<String> rows = new ArrayList<>();
        for (String[] export : List.of(new String[] {"trl", text}, new String[] {"openai", text},
                new String[] {"trl", image}, new String[] {"pickapic", image})) {
            restart();
            String label = export[0] + (export[1].equals(image) ? " (images)" : "");
            rows.add(export(label, export[0], export[1], "cold"));
            rows.add(export(label, export[0], export[1], "warm"));
        }
        report.append("\n## Export of ").append(String.format("%,d", EXPORT_ROWS)).append(" resolved comparisons\n\n")
                .append("Streamed NDJSON over HTTP from the service (-Xmx512m). Cold: the first export after the")
                .append(" service (and its PostgreSQL) restarted; warm: the same export right after. Service heap:")
                .append(" in use before the export → highest value seen while exporting (sampled continuously from")
                .append(" its `/actuator/metrics/jvm.memory.used?tag=area:heap`). The image project has one judgment")
                .append(" per pair (a and b in turn), so `pickapic` has one row per pair.\n\n")
                .append("| format | run | rows | size | time | rate | service heap |\n|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> report.append(r).append('\n'));
        report.append(String.format("%nNumbering the %,d + %,d newly resolved pairs in the two feeds (first feed read,"
                + " before the exports): %.2f s.%n", EXPORT_ROWS, EXPORT_ROWS, sequencing));
    }

    private String export(String label, String format, String project, String run) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        double heapBefore = serviceHeapMiB();
        AtomicBoolean exporting = new AtomicBoolean(true);
        double[] heapPeak = {heapBefore};
        Thread sampler = new Thread(() -> {
            while (exporting.get()) {
                heapPeak[0] = Math.max(heapPeak[0], serviceHeapMiB());
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        long start = System.nanoTime();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/v1/projects/" + project + "/export?format=" + format))
                .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofInputStream());
        long lines = 0;
        long bytes = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        exporting.set(false);
        sampler.join();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(lines).isEqualTo(EXPORT_ROWS);
        return String.format("| %s | %s | %,d | %.1f MB | %.2f s | %,.0f rows/s | %.0f → %.0f MiB |", label, run,
                lines, bytes / 1e6, seconds, lines / seconds, heapBefore, heapPeak[0]);
    }

    /** Stops the service and starts it again on the same database: JIT, pools and PostgreSQL's buffers start empty. */
    private void restart() throws Exception {
        service.close();
        service = startService();
        api = service.api();
        postgres.setURL("jdbc:postgresql://localhost:" + service.postgresPort() + "/feedback");
    }

    /** Like {@link #seedResolved}, for an image project: an image per candidate and one judgment per pair. */
    private void seedResolvedImages(String project, int rows) {
        jdbc.sql("""
                with seed as materialized (
                    select g, gen_random_uuid() a, gen_random_uuid() b, gen_random_uuid() pair,
                           encode(sha256(('a' || g)::bytea), 'hex') a_sha, encode(sha256(('b' || g)::bytea), 'hex') b_sha,
                           (array['a', 'b'])[1 + g % 2] choice
                    from generate_series(1, :n) g),
                images as (insert into images (sha256, width, height, png)
                           select a_sha, 16, 16, '\\x89504e47'::bytea from seed
                           union all select b_sha, 16, 16, '\\x89504e47'::bytea from seed),
                ca as (insert into candidates (id, project_id, prompt, image_sha256, model)
                       select a, :project, 'prompt ' || g, a_sha, 'bench-a' from seed),
                cb as (insert into candidates (id, project_id, prompt, image_sha256, model)
                       select b, :project, 'prompt ' || g, b_sha, 'bench-b' from seed),
                p as (insert into pairs (id, project_id, candidate_a, candidate_b, judgments_needed, created_at,
                                         votes_a, votes_b, votes_tie, status, outcome, agreement, resolved_at)
                      select pair, :project, a, b, 1, now() + g * interval '1 microsecond',
                             (choice = 'a')::int, (choice = 'b')::int, 0, 'resolved', choice, 1,
                             now() + g * interval '1 microsecond' from seed)
                insert into judgments (id, pair_id, project_id, labeler_id, choice, left_choice, elapsed_ms, created_at)
                select gen_random_uuid(), pair, :project, gen_random_uuid(), choice, 'a', 1000,
                       now() + g * interval '1 microsecond' from seed""")
                .param("n", rows).param("project", java.util.UUID.fromString(project)).update();
        jdbc.sql("analyze").update();
    }

    /** Two candidates and a pair per prompt, made in one statement (the API path is measured elsewhere). */
    private void seedPairs(String project, int pairs) {
        jdbc.sql("""
                with seed as materialized (
                    select g, gen_random_uuid() a, gen_random_uuid() b from generate_series(1, :n) g),
                ca as (insert into candidates (id, project_id, prompt, text, model)
                       select a, :project, 'prompt ' || g, 'reply one ' || g, 'bench' from seed),
                cb as (insert into candidates (id, project_id, prompt, text, model)
                       select b, :project, 'prompt ' || g, 'reply two ' || g, 'bench' from seed)
                insert into pairs (id, project_id, candidate_a, candidate_b, judgments_needed, created_at)
                select gen_random_uuid(), :project, a, b, 1, now() + g * interval '1 microsecond' from seed""")
                .param("n", pairs).param("project", java.util.UUID.fromString(project)).update();
        jdbc.sql("analyze").update();
    }

    private String createProject(String modality, int judgmentsPerPair, boolean allowTies) {
        return api.post("/v1/projects", ADMIN, "{\"name\":\"bench\",\"modality\":\"" + modality
                + "\",\"judgments_per_pair\":" + judgmentsPerPair + ",\"allow_ties\":" + allowTies + "}")
                .json().get("id").asString();
    }

    private String createLabeler(String name) {
        return api.post("/v1/labelers", ADMIN, "{\"name\":\"" + name + "\"}").json().get("key").asString();
    }

    /** User + system CPU time of a process, in clock ticks (1/100 s), from /proc. */
    private static long cpuTicks(long pid) {
        try {
            String[] fields = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long postgresTicks() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .mapToLong(p -> cpuTicks(p.pid())).sum();
    }

    private double serviceHeapMiB() {
        JsonNode metric = api.get("/actuator/metrics/jvm.memory.used?tag=area:heap", null).json();
        return metric.get("measurements").get(0).get("value").asDouble() / (1 << 20);
    }

    private void seedResolved(String project, int rows) {
        seedPairs(project, rows);
        jdbc.sql("""
                update pairs set votes_a = 1, status = 'resolved', outcome = 'a', agreement = 1, resolved_at = now()
                where project_id = ?::uuid""").param(project).update();
    }

    static {
        // measure with durable commits, as in production
        System.setProperty("prefloop.test.fsync", "true");
    }
}
