package io.prefloop.trainer.policy;

import io.prefloop.common.auth.Caller;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Jobs;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What follows a policy's successful job: its range counts as trained, and its checkpoint faces the gate. */
@Service
public class PolicyPromotions {

    private static final Logger log = LoggerFactory.getLogger(PolicyPromotions.class);

    private final JdbcClient jdbc;
    private final Policies policies;
    private final Jobs jobs;
    private final Registry registry;

    PolicyPromotions(JdbcClient jdbc, Policies policies, Jobs jobs, Registry registry) {
        this.jdbc = jdbc;
        this.policies = policies;
        this.jobs = jobs;
        this.registry = registry;
    }

    /** After a policy's job succeeded: its range is trained; its checkpoint is promoted if it passes the gate. */
    @Transactional
    public void jobSucceeded(JobView job, Caller system) {
        if (job.policyId() == null) {
            return;
        }
        PolicyView policy = policies.require(job.policyId());
        jdbc.sql("update policies set trained_through = greatest(trained_through, ?) where id = ?")
                .params(job.feedTo(), policy.id()).update();
        CheckpointView published = registry.publishedBy(job.id()).orElse(null);
        if (published == null) {
            return;
        }
        if (policy.gate().human()) {
            awaitVotes(policy, job, published);
            return;
        }
        GateDecision decision = policy.gate().evaluate(published.metrics());
        decide(policy, job, published, decision, system);
    }

    /**
     * A human gate: a regression is refused at once; otherwise the decision waits for the campaign's
     * evaluation pairs of this checkpoint against the current one ({@link #decide} once they have the votes).
     */
    private void awaitVotes(PolicyView policy, JobView job, CheckpointView published) {
        GateDecision regression = policy.gate().checkRegression(published.metrics());
        if (!regression.promoted()) {
            jobs.recordPromotion(job.id(), regression.promotion(), "Not promoted: " + regression.reason());
            return;
        }
        String why = "awaiting " + policy.gate().minVotesOrDefault() + " labelers' votes on " + published.model() + "/"
                + published.version() + " against the current checkpoint (human_win_rate ≥ " + policy.gate().min()
                + "); " + regression.reason();
        jobs.recordPromotion(job.id(), regression.pending(why), "Promotion pending: " + why);
        log.info("Policy {} job {}: {}", policy.id(), job.id(), why);
    }

    /** Records a gate's decision on a policy's checkpoint and promotes it if it passed. */
    @Transactional
    public void decide(PolicyView policy, JobView job, CheckpointView published, GateDecision decision, Caller system) {
        String verdict = decision.reason();
        if (decision.promoted()) {
            registry.promote(published.model(), published.version(), "policy " + policy.id() + ": " + verdict, system);
            jobs.recordPromotion(job.id(), decision.promotion(), "Promoted " + published.model() + "/"
                    + published.version() + " (" + verdict + ")");
        } else {
            jobs.recordPromotion(job.id(), decision.promotion(), "Not promoted: " + verdict);
        }
        log.info("Policy {} job {}: {}", policy.id(), job.id(), verdict);
    }
}
