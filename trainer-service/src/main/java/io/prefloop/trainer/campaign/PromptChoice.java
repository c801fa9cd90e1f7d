package io.prefloop.trainer.campaign;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Which training prompts the next proposal samples for. {@code round_robin} walks the prompts in
 * the order they were added, wrapping around (prompts added while the campaign runs join the walk);
 * {@code need} takes the prompts with the fewest proposals from the served checkpoint, then the
 * fewest overall, so every prompt gets pairs from a new checkpoint before any gets a second batch.
 */
@Component
class PromptChoice {

    private final JdbcClient jdbc;

    PromptChoice(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<String> next(UUID campaign, String order, int count, int cursor, String served) {
        int total = jdbc.sql("select count(*) from campaign_prompts where campaign_id = ? and not held_out")
                .param(campaign).query(Integer.class).single();
        if (total == 0) {
            return List.of();
        }
        int n = Math.min(count, total);
        if (order.equals("need")) {
            return jdbc.sql("""
                    select p.prompt from campaign_prompts p
                    left join campaign_proposals cp on cp.campaign_id = p.campaign_id and cp.status = 'done'
                         and cp.prompts @> jsonb_build_array(p.prompt)
                    where p.campaign_id = :campaign and not p.held_out
                    group by p.prompt, p.position
                    order by count(cp.id) filter (where cp.checkpoint = :served), count(cp.id), p.position
                    limit :n""").param("campaign", campaign).param("served", served).param("n", n)
                    .query(String.class).list();
        }
        // the n prompts from the cursor on, wrapping around; only those are read
        Integer[] ranks = new Integer[n];
        for (int i = 0; i < n; i++) {
            ranks[i] = Math.floorMod(cursor + i, total);
        }
        Map<Integer, String> byRank = new HashMap<>();
        jdbc.sql("""
                select rank, prompt from (select prompt, (row_number() over (order by position) - 1)::int rank
                                          from campaign_prompts where campaign_id = :campaign and not held_out) ranked
                where rank = any(:ranks)""").param("campaign", campaign).param("ranks", ranks)
                .query((rs, row) -> byRank.put(rs.getInt("rank"), rs.getString("prompt"))).list();
        List<String> chosen = new ArrayList<>();
        for (Integer rank : ranks) {
            chosen.add(byRank.get(rank));
        }
        return chosen;
    }
}
