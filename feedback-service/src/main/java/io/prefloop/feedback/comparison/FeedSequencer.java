package io.prefloop.feedback.comparison;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Gives newly resolved training pairs their positions in the project's comparisons feed. Positions are
 * handed out by readers, under the project's row lock, to resolutions that have committed: a
 * reader's cursor therefore never passes a position that a slower transaction fills in later,
 * and judging never waits on a project-wide lock. Evaluation pairs never get a position: no policy
 * trains on them, and {@code every_n} counts training comparisons only.
 */
@Component
public class FeedSequencer {

    private final JdbcClient jdbc;

    FeedSequencer(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return the project's last feed position after sequencing */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public long sequence(UUID projectId) {
        long last = jdbc.sql("select feed_position from projects where id = ? for update").param(projectId)
                .query(Long.class).single();
        int added = jdbc.sql("""
                with todo as (
                    select id, row_number() over (order by resolved_at, id) as n from pairs
                    where project_id = :project and status = 'resolved' and feed_position is null
                      and purpose = 'training')
                update pairs p set feed_position = :last + todo.n from todo where p.id = todo.id""")
                .param("project", projectId).param("last", last).update();
        if (added > 0) {
            jdbc.sql("update projects set feed_position = ? where id = ?").params(last + added, projectId).update();
        }
        return last + added;
    }

    /**
     * Reserves the next {@code count} feed positions of the project for pairs that the caller's
     * transaction resolves itself (an import) and numbers them in its order. The project's row
     * stays locked until that transaction ends, so readers wait for it instead of numbering past
     * positions it has not committed yet: positions stay gapless.
     *
     * @return the first reserved position
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long reserve(UUID projectId, int count) {
        long last = jdbc.sql("select feed_position from projects where id = ? for update").param(projectId)
                .query(Long.class).single();
        jdbc.sql("update projects set feed_position = ? where id = ?").params(last + count, projectId).update();
        return last + 1;
    }
}
