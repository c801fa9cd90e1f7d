package io.prefloop.trainer.campaign;

import java.util.ArrayList;
import java.util.List;
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
        List<String> prompts = jdbc.sql("""
                select prompt from campaign_prompts where campaign_id = ? and not held_out order by position""")
                .param(campaign).query(String.class).list();
        if (prompts.isEmpty()) {
            return List.of();
        }
        int n = Math.min(count, prompts.size());
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
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            chosen.add(prompts.get(Math.floorMod(cursor + i, prompts.size())));
        }
        return chosen;
    }
}
