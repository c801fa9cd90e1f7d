package io.prefloop.trainer.campaign;

import io.prefloop.trainer.feedback.FeedbackPairs;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** What a campaign's tick reads and writes, each in a short transaction of its own. */
@Component
class CampaignRecords {

    /** A proposal as recorded before the inference-service is asked (a retry sends the same). */
    record PendingProposal(UUID id, int seq, String reason, List<String> prompts, long seed) {}

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    CampaignRecords(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<UUID> active() {
        return jdbc.sql("select id from campaigns where state = 'active' order by created_at").query(UUID.class).list();
    }

    /**
     * Claims the campaign's next tick for this replica until {@code lease} has passed: the update
     * is atomic, so of two replicas only one gets the row back.
     */
    @Transactional
    boolean claim(UUID id, Duration lease) {
        return jdbc.sql("""
                update campaigns set busy_until = ? where id = ? and state = 'active'
                  and (busy_until is null or busy_until < now())""")
                .params(Timestamp.from(Instant.now().plus(lease)), id).update() == 1;
    }

    @Transactional
    void release(UUID id) {
        jdbc.sql("update campaigns set busy_until = null where id = ?").param(id).update();
    }

    /** Where the round-robin walk over the prompts stands. */
    int cursor(UUID campaign) {
        return jdbc.sql("select next_prompt from campaigns where id = ?").param(campaign).query(Integer.class).single();
    }

    Optional<PendingProposal> pending(UUID campaign) {
        return jdbc.sql("select * from campaign_proposals where campaign_id = ? and status = 'pending'").param(campaign)
                .query((rs, n) -> new PendingProposal(rs.getObject("id", UUID.class), rs.getInt("seq"),
                        rs.getString("reason"), json.readValue(rs.getString("prompts"), STRINGS), rs.getLong("seed")))
                .optional();
    }

    /** Records the next proposal as pending, before anything is asked of the inference-service. */
    @Transactional
    PendingProposal recordPending(UUID campaign, String reason, List<String> prompts, long seed, int openBefore) {
        int seq = jdbc.sql("select coalesce(max(seq), 0) + 1 from campaign_proposals where campaign_id = ?")
                .param(campaign).query(Integer.class).single();
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into campaign_proposals (id, campaign_id, seq, reason, prompts, seed, status, open_before)
                values (?, ?, ?, ?, ?::jsonb, ?, 'pending', ?)""")
                .params(id, campaign, seq, reason, json.writeValueAsString(prompts), seed, openBefore).update();
        return new PendingProposal(id, seq, reason, prompts, seed);
    }

    @Transactional
    void proposalDone(UUID campaign, PendingProposal p, String checkpoint, int pairs, int promptsChosen) {
        jdbc.sql("""
                update campaign_proposals set status = 'done', checkpoint = ?, pairs = ?, finished_at = now()
                where id = ?""").params(checkpoint, pairs, p.id()).update();
        jdbc.sql("""
                update campaigns set proposal_checkpoint = ?, proposals_made = proposals_made + 1,
                  next_prompt = next_prompt + ?, last_error = null, last_error_at = null where id = ?""")
                .params(checkpoint, promptsChosen, campaign).update();
    }

    @Transactional
    void proposalFailed(PendingProposal p, String error) {
        jdbc.sql("update campaign_proposals set status = 'failed', error = ?, finished_at = now() where id = ?")
                .params(error, p.id()).update();
    }

    /** Keeps the project's pair counts; samples the depth when it changed. */
    @Transactional
    void saw(UUID campaign, FeedbackPairs.Summary summary, String served) {
        jdbc.sql("update campaigns set open_pairs = ?, pair_summary = ?::jsonb where id = ?")
                .params(summary.open(), json.writeValueAsString(summary.byCheckpoint()), campaign).update();
        jdbc.sql("""
                insert into campaign_depth (campaign_id, open_pairs, checkpoint)
                select :campaign, :open, :served
                where not exists (select 1 from (select open_pairs, checkpoint from campaign_depth
                                  where campaign_id = :campaign order by at desc limit 1) last
                                  where last.open_pairs = :open and last.checkpoint is not distinct from :served)""")
                .param("campaign", campaign).param("open", summary.open()).param("served", served).update();
    }

    @Transactional
    void scoredBy(UUID campaign, String checkpoint) {
        jdbc.sql("update campaigns set scored_by = ? where id = ?").params(checkpoint, campaign).update();
    }

    @Transactional
    void error(UUID campaign, String message) {
        jdbc.sql("update campaigns set last_error = ?, last_error_at = now() where id = ?")
                .params(message == null ? "unknown error" : message, campaign).update();
    }
}
