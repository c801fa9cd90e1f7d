package io.prefloop.feedback.comparison;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The feed of resolved pairs that trainers read, in a stable order, with a cursor. */
@RestController
class ComparisonController {

    private final JdbcClient jdbc;
    private final Projects projects;
    private final FeedSequencer sequencer;
    private final Candidates candidates;

    ComparisonController(JdbcClient jdbc, Projects projects, FeedSequencer sequencer, Candidates candidates) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.sequencer = sequencer;
        this.candidates = candidates;
    }

    @GetMapping("/v1/projects/{projectId}/comparisons")
    @Allow({Role.ADMIN, Role.SERVICE})
    Page<ComparisonView> comparisons(@PathVariable UUID projectId, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        projects.require(projectId);
        int size = Page.checkLimit(limit);
        long from = after == null ? 0 : Page.longCursor(after);
        sequencer.sequence(projectId);
        record Row(long position, PairView pair) {}
        List<Row> rows = jdbc.sql("""
                select * from pairs where project_id = ? and feed_position > ? order by feed_position limit ?""")
                .params(projectId, from, size + 1)
                .query((rs, n) -> new Row(rs.getLong("feed_position"), Pairs.MAPPER.mapRow(rs, n))).list();
        List<UUID> ids = rows.stream().flatMap(r -> java.util.stream.Stream.of(r.pair().candidateA(),
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
                    p.votes(), p.agreement(), p.resolvedAt());
        }).toList();
        return Page.of(views, size, v -> Long.toString(v.position()));
    }
}
