package io.prefloop.trainer.policy;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.web.ApiException;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.CheckpointReferences;
import io.prefloop.trainer.job.Jobs;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.registry.Registry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Online training. A policy watches a project's comparisons feed; when {@code every_n} new ones
 * have arrived past what it trained on, it queues one job on exactly that range (never two at
 * once: a unique index allows one queued or running job per policy). What follows a job's success is
 * in {@link PolicyPromotions}.
 */
@Service
public class Policies {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Jobs jobs;
    private final FeedbackClient feedback;
    private final Registry registry;

    private final CheckpointReferences checkpoints;

    Policies(JdbcClient jdbc, JsonMapper json, Jobs jobs, FeedbackClient feedback, Registry registry,
            CheckpointReferences checkpoints) {
        this.checkpoints = checkpoints;
        this.jdbc = jdbc;
        this.json = json;
        this.jobs = jobs;
        this.feedback = feedback;
        this.registry = registry;
    }

    @Transactional
    public PolicyView create(NewPolicy request, Caller caller) {
        return create(request, caller, false);
    }

    /** @param evaluatedByCampaign a campaign with an evaluation set drives it: a human_win_rate gate can get votes */
    @Transactional
    public PolicyView create(NewPolicy request, Caller caller, boolean evaluatedByCampaign) {
        boolean human = Gate.HUMAN_WIN_RATE.equals(request.gate().metric());
        if (human && !evaluatedByCampaign) {
            throw ApiException.invalid("gate.metric", "human_win_rate needs labelers' votes on evaluation pairs: create"
                    + " the policy with a campaign that has an evaluation set (POST /v1/campaigns)");
        }
        if (!human && request.gate().minVotes() != null) {
            throw ApiException.invalid("gate.min_votes", "only a human_win_rate gate waits for votes");
        }
        if (human && (request.gate().min() < 0 || request.gate().min() > 1)) {
            throw ApiException.invalid("gate.min", "a win rate lies between 0 and 1");
        }
        if (!request.method().needsProject()) {
            throw ApiException.invalid("method", request.method().json() + " does not learn from comparisons");
        }
        Map<String, Object> hyperparameters = request.method().resolve(request.hyperparameters());
        registry.current(request.model()); // 404 unless the model has a current checkpoint to start from
        checkpoints.check(request.method(), request.model(), request.method().settings(hyperparameters));
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into policies (id, project_id, model, method, hyperparameters, every_n, gate_metric, gate_min,
                                      gate_max_regression, created_by, seed, gate_min_votes)
                values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, request.project(), request.model(), request.method().json(),
                        json.writeValueAsString(hyperparameters), request.everyN(), request.gate().metric(),
                        request.gate().min(), request.gate().maxRegressionOrDefault(), caller.id(), request.seed(),
                        human ? (Integer) request.gate().minVotes() : null)
                .update();
        return require(id);
    }

    public PolicyView require(UUID id) {
        return jdbc.sql("select * from policies where id = ?").param(id).query(this::map).optional()
                .orElseThrow(() -> ApiException.notFound("Policy", id));
    }

    public List<PolicyView> list() {
        return jdbc.sql("select * from policies order by created_at, id").query(this::map).list();
    }

    @Transactional
    public PolicyView setActive(UUID id, boolean active) {
        require(id);
        jdbc.sql("update policies set active = ? where id = ?").params(active, id).update();
        return require(id);
    }

    /** Queues a job for every active policy with enough new comparisons and no job under way. */
    @Transactional
    public int fireDue() {
        List<PolicyView> due = jdbc.sql("""
                select * from policies p where active
                  and not exists (select 1 from jobs j where j.policy_id = p.id and j.status in ('queued', 'running'))
                for update skip locked""").query(this::map).list();
        int fired = 0;
        for (PolicyView policy : due) {
            long nth = nthNewPosition(policy);
            if (nth > 0) {
                long to = latestPosition(policy.project(), nth);
                long seed = policy.seed() == null ? ThreadLocalRandom.current().nextLong(1L << 48)
                        : jobSeed(policy.seed(), to);
                jobs.createForPolicy(policy.id(), policy.method(), policy.model(), policy.project(),
                        policy.hyperparameters(), policy.trainedThrough(), to, seed);
                fired++;
            }
        }
        return fired;
    }

    /** The training seed of a seeded policy's job on the feed range ending at {@code feedTo}: the same for the same run. */
    public static long jobSeed(long policySeed, long feedTo) {
        return (policySeed * 1_000_003L + feedTo) & ((1L << 48) - 1);
    }

    /** The feed's last position, read on from a known one (only when a job is about to be queued). */
    private long latestPosition(UUID project, long from) {
        long latest = from;
        FeedbackClient.Page page;
        do {
            page = feedback.comparisons(project, latest, 1000);
            latest = page.lastPosition();
        } while (page.hasMore());
        return latest;
    }

    /**
     * The feed position of the {@code every_n}-th comparison past what the policy trained on, or 0
     * while fewer have arrived. Reads at most {@code every_n} comparisons, so the ticks that fire
     * nothing stay cheap however long the backlog.
     */
    private long nthNewPosition(PolicyView policy) {
        long position = policy.trainedThrough();
        int missing = policy.everyN();
        while (missing > 0) {
            FeedbackClient.Page page = feedback.comparisons(policy.project(), position, Math.min(missing, 1000));
            if (page.comparisons().isEmpty()) {
                return 0;
            }
            missing -= page.comparisons().size();
            position = page.lastPosition();
        }
        return position;
    }

    private PolicyView map(ResultSet rs, int row) throws SQLException {
        return new PolicyView(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class),
                rs.getString("model"), Method.parse(rs.getString("method")),
                json.readValue(rs.getString("hyperparameters"), MAP), rs.getInt("every_n"),
                new Gate(rs.getString("gate_metric"), rs.getDouble("gate_min"),
                        rs.getDouble("gate_max_regression"), (Integer) rs.getObject("gate_min_votes")),
                rs.getLong("trained_through"), rs.getBoolean("active"), (Long) rs.getObject("seed"),
                rs.getTimestamp("created_at").toInstant());
    }
}
