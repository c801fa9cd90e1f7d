package io.prefloop.trainer.campaign;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** A campaign's past: its proposals, and its open pairs over time. */
@Component
class CampaignHistory {

    /** @param openBefore the open pairs when the proposal was decided */
    record ProposalView(UUID id, int seq, String reason, int prompts, long seed, String status, String checkpoint,
            Integer pairs, Integer openBefore, String error, Instant createdAt, Instant finishedAt) {}

    record DepthSample(Instant at, int openPairs, String checkpoint) {}

    private static final int LIMIT = 1000;

    private final JdbcClient jdbc;
    private final Campaigns campaigns;

    CampaignHistory(JdbcClient jdbc, Campaigns campaigns) {
        this.jdbc = jdbc;
        this.campaigns = campaigns;
    }

    /** The newest proposals, oldest first. */
    List<ProposalView> proposals(UUID campaign) {
        campaigns.require(campaign);
        return jdbc.sql("""
                select * from (select id, seq, reason, jsonb_array_length(prompts) prompts, seed, status, checkpoint,
                                      pairs, open_before, error, created_at, finished_at
                               from campaign_proposals where campaign_id = ? order by seq desc limit ?) newest
                order by seq""").params(campaign, LIMIT).query(ProposalView.class).list();
    }

    /** The newest depth samples, oldest first. */
    List<DepthSample> depth(UUID campaign) {
        campaigns.require(campaign);
        return jdbc.sql("""
                select * from (select at, open_pairs, checkpoint from campaign_depth where campaign_id = ?
                               order by at desc limit ?) newest order by at""")
                .params(campaign, LIMIT).query(DepthSample.class).list();
    }
}
