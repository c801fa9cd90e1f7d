package io.prefloop.feedback.comparison;

import io.prefloop.common.web.Page;
import io.prefloop.feedback.candidate.CandidateView;
import io.prefloop.feedback.candidate.Candidates;
import io.prefloop.feedback.pair.PairView;
import io.prefloop.feedback.pair.Pairs;
import io.prefloop.feedback.project.Projects;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** The feed of resolved pairs that trainers read, in a stable order, with a cursor. */
@Service
public class Comparisons {

    private final JdbcClient jdbc;
    private final Projects projects;
    private final FeedSequencer sequencer;
    private final Candidates candidates;

    Comparisons(JdbcClient jdbc, Projects projects, FeedSequencer sequencer, Candidates candidates) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.sequencer = sequencer;
        this.candidates = candidates;
    }

    /** Up to {@code limit} comparisons past feed position {@code after} (a cursor; null reads from the start). */
    public Page<ComparisonView> page(UUID projectId, String after, int limit) {
        projects.require(projectId);
        int size = Page.checkLimit(limit);
        long from = after == null ? 0 : Page.longCursor(after);
        sequencer.sequence(projectId);
        record Row(long position, PairView pair) {}
        List<Row> rows = jdbc.sql("""
                select * from pairs where project_id = ? and feed_position > ? order by feed_position limit ?""")
                .params(projectId, from, size + 1)
                .query((rs, n) -> new Row(rs.getLong("feed_position"), Pairs.MAPPER.mapRow(rs, n))).list();
        List<UUID> ids = rows.stream().flatMap(r -> Stream.of(r.pair().candidateA(),
                r.pair().candidateB())).toList();
        Map<UUID, CandidateView> byId = ids.isEmpty() ? Map.of()
                : jdbc.sql("select * from candidates where id = any(?)").param(ids.toArray(UUID[]::new))
                        .query(candidates.mapper()).list().stream()
                        .collect(Collectors.toMap(CandidateView::id, Function.identity()));
        List<ComparisonView> views = rows.stream().map(r -> {
            PairView p = r.pair();
            CandidateView a = byId.get(p.candidateA());
            CandidateView b = byId.get(p.candidateB());
            CandidateView chosen = switch (p.outcome()) {
                case "a" -> a;
                case "b" -> b;
                default -> null;
            };
            CandidateView rejected = chosen == null ? null : (chosen == a ? b : a);
            return new ComparisonView(r.position(), p.id(), a.prompt(), p.outcome(), chosen, rejected, a, b,
                    p.votes(), p.agreement(), p.resolvedAt(), p.servedBy(), p.source());
        }).toList();
        return Page.of(views, size, v -> Long.toString(v.position()));
    }
}
