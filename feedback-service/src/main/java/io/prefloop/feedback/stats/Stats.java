package io.prefloop.feedback.stats;

import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.project.Projects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A project's labeling statistics, read from its pairs and judgments. */
@Service
public class Stats {

    private static final int[] ELAPSED_BOUNDS_MS = {1000, 2000, 3000, 5000, 8000, 13000, 20000, 30000, 60000};

    private final JdbcClient jdbc;
    private final Projects projects;

    Stats(JdbcClient jdbc, Projects projects) {
        this.jdbc = jdbc;
        this.projects = projects;
    }

    @Transactional(readOnly = true)
    public ProjectStats of(UUID projectId) {
        projects.require(projectId);
        Map<String, Long> pairs = new LinkedHashMap<>();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        Map<String, Long> evaluationPairs = new LinkedHashMap<>();
        jdbc.sql("""
                select purpose, case when status = 'resolved' then 'resolved' when status = 'retired' then 'retired'
                            when votes_a + votes_b + votes_tie + votes_both_bad + skips = 0 then 'unjudged'
                            else 'in_progress' end state, coalesce(outcome, '') outcome, count(*) n
                from pairs where project_id = ? group by 1, 2, 3""")
                .param(projectId).query((rs, n) -> {
                    if (rs.getString("purpose").equals("evaluation")) {
                        evaluationPairs.merge(rs.getString("state"), rs.getLong("n"), Long::sum);
                        return null;
                    }
                    pairs.merge(rs.getString("state"), rs.getLong("n"), Long::sum);
                    if (!rs.getString("outcome").isEmpty()) {
                        outcomes.merge(rs.getString("outcome"), rs.getLong("n"), Long::sum);
                    }
                    return null;
                }).list();
        Long retired = pairs.remove("retired");
        List<int[]> units = jdbc.sql("""
                select votes_a, votes_b, votes_tie, votes_both_bad from pairs
                where project_id = ? and votes_a + votes_b + votes_tie + votes_both_bad >= 2""")
                .param(projectId)
                .query((rs, n) -> new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)}).list();
        double alpha = KrippendorffAlpha.nominal(units);
        record Totals(long judgments, long skips, Double medianMs, long lastHour, long decisive, long leftPicks) {}
        Totals totals = jdbc.sql("""
                select count(*) judgments, count(*) filter (where choice = 'skip') skips,
                       percentile_cont(0.5) within group (order by elapsed_ms) median_ms,
                       count(*) filter (where created_at > now() - interval '1 hour') last_hour,
                       count(*) filter (where choice in ('a', 'b') and left_choice is not null) decisive,
                       count(*) filter (where choice in ('a', 'b') and choice = left_choice) left_picks
                from judgments where project_id = ?""")
                .param(projectId).query(Totals.class).single();
        ProjectStats.PositionBias bias = totals.decisive() == 0
                ? new ProjectStats.PositionBias(0, null, null)
                : positionBias(totals.decisive(), totals.leftPicks());
        List<ProjectStats.LabelerStats> labelers = jdbc.sql("""
                select j.labeler_id, coalesce(k.name, '') as name, count(*) judgments,
                       count(*) filter (where j.choice = 'skip') skips,
                       (count(*) filter (where j.choice = p.outcome and p.status = 'resolved' and multi))::float8
                         / nullif(count(*) filter (where j.choice <> 'skip' and p.status = 'resolved' and multi), 0)
                         agreement,
                       percentile_cont(0.5) within group (order by j.elapsed_ms) median_ms,
                       count(*) filter (where j.choice in ('a', 'b') and j.left_choice is not null) decisive,
                       count(*) filter (where j.choice in ('a', 'b') and j.choice = j.left_choice) left_picks
                from judgments j
                join (select *, votes_a + votes_b + votes_tie + votes_both_bad >= 2 multi from pairs) p on p.id = j.pair_id
                left join api_keys k on k.id = j.labeler_id
                where j.project_id = ?
                group by j.labeler_id, k.name order by count(*) desc""")
                .param(projectId)
                .query((rs, n) -> {
                    double agreement = rs.getDouble("agreement");
                    Double agreementOrNull = rs.wasNull() ? null : agreement;
                    double median = rs.getDouble("median_ms");
                    Double medianOrNull = rs.wasNull() ? null : median;
                    long decisive = rs.getLong("decisive");
                    return new ProjectStats.LabelerStats(rs.getObject("labeler_id", UUID.class), rs.getString("name"),
                            rs.getLong("judgments"), rs.getLong("skips"), agreementOrNull, medianOrNull,
                            decisive, decisive == 0 ? null : (double) rs.getLong("left_picks") / decisive);
                }).list();
        return new ProjectStats(projectId, pairs, retired == null ? 0 : retired, outcomes, evaluationPairs,
                totals.judgments(),
                totals.skips(), Double.isNaN(alpha) ? null : alpha, bias, totals.medianMs(), totals.lastHour(), labelers);
    }

    /** {@code bucket=auto} picks minutes for a project judged within six hours, hours within two weeks, else days. */
    @Transactional(readOnly = true)
    public Activity activity(UUID projectId, String bucket) {
        projects.require(projectId);
        if (!List.of("auto", "minute", "hour", "day").contains(bucket)) {
            throw ApiException.invalid("bucket", "must be auto, minute, hour or day");
        }
        String unit = bucket;
        if (unit.equals("auto")) {
            Double hours = jdbc.sql("""
                    select extract(epoch from max(created_at) - min(created_at)) / 3600 from judgments
                    where project_id = ?""")
                    .param(projectId).query(Double.class).optional().orElse(null);
            unit = hours == null || hours <= 6 ? "minute" : hours <= 24 * 14 ? "hour" : "day";
        }
        List<Activity.Bucket> throughput = jdbc.sql("""
                select date_trunc(:unit, created_at) start, count(*) filter (where choice <> 'skip') judgments,
                       count(*) filter (where choice = 'skip') skips,
                       percentile_cont(0.5) within group (order by elapsed_ms) filter (where choice <> 'skip') median_ms
                from judgments where project_id = :project group by 1 order by 1""")
                .param("unit", unit).param("project", projectId).query(Activity.Bucket.class).list();
        Map<Integer, Long> counts = new LinkedHashMap<>();
        jdbc.sql("""
                select width_bucket(elapsed_ms, :bounds) bin, count(*) n from judgments
                where project_id = :project and choice <> 'skip' and elapsed_ms is not null group by 1""")
                .param("bounds", Arrays.stream(ELAPSED_BOUNDS_MS).boxed().toArray(Integer[]::new))
                .param("project", projectId)
                .query((rs, n) -> counts.put(rs.getInt("bin"), rs.getLong("n"))).list();
        List<Activity.Bin> bins = new ArrayList<>();
        for (int i = 0; i <= ELAPSED_BOUNDS_MS.length; i++) {
            bins.add(new Activity.Bin(i == 0 ? 0 : ELAPSED_BOUNDS_MS[i - 1],
                    i < ELAPSED_BOUNDS_MS.length ? ELAPSED_BOUNDS_MS[i] : null, counts.getOrDefault(i, 0L)));
        }
        return new Activity(projectId, unit, throughput, bins);
    }

    private static ProjectStats.PositionBias positionBias(long decisive, long left) {
        double rate = (double) left / decisive;
        double z = (rate - 0.5) / Math.sqrt(0.25 / decisive);
        return new ProjectStats.PositionBias(decisive, rate, z);
    }
}
