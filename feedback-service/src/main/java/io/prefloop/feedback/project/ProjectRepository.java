package io.prefloop.feedback.project;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The projects table. */
@Repository
public class ProjectRepository {

    private static final String SELECT = """
            select id, name, modality, instructions, judgments_per_pair, allow_ties, selection_mode, random_share, created_at
            from projects""";

    private final JdbcClient jdbc;

    ProjectRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Project> findById(UUID id) {
        return jdbc.sql(SELECT + " where id = ?").param(id).query(ProjectRepository::map).optional();
    }

    Project insert(Project project) {
        jdbc.sql("""
                insert into projects (id, name, modality, instructions, judgments_per_pair, allow_ties, selection_mode,
                                      random_share, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(project.getId(), project.getName(), project.getModality().json(), project.getInstructions(),
                        project.getJudgmentsPerPair(), project.isAllowTies(), project.getSelection().mode().json(),
                        project.getSelection().randomShare(), Timestamp.from(project.getCreatedAt()))
                .update();
        return project;
    }

    /** @return whether the project exists */
    boolean updateSelection(UUID id, Selection selection) {
        return jdbc.sql("update projects set selection_mode = ?, random_share = ? where id = ?")
                .params(selection.mode().json(), selection.randomShare(), id).update() == 1;
    }

    /** Projects in creation order, at most {@code limit}. */
    List<Project> findFirstPage(int limit) {
        return jdbc.sql(SELECT + " order by created_at, id limit ?").param(limit).query(ProjectRepository::map).list();
    }

    /** Projects created after the one with {@code afterCreated} and {@code afterId}, in creation order. */
    List<Project> findPage(Instant afterCreated, UUID afterId, int limit) {
        return jdbc.sql(SELECT + " where (created_at, id) > (?, ?) order by created_at, id limit ?")
                .params(Timestamp.from(afterCreated), afterId, limit).query(ProjectRepository::map).list();
    }

    private static Project map(ResultSet rs, int row) throws SQLException {
        return new Project(rs.getObject("id", UUID.class), rs.getString("name"), Modality.parse(rs.getString("modality")),
                rs.getString("instructions"), rs.getInt("judgments_per_pair"), rs.getBoolean("allow_ties"),
                new Selection(SelectionMode.parse(rs.getString("selection_mode")), rs.getDouble("random_share")),
                rs.getTimestamp("created_at").toInstant());
    }
}
