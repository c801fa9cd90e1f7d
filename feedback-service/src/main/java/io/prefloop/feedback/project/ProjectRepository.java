package io.prefloop.feedback.project;

import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface ProjectRepository extends JpaRepository<Project, UUID> {

    @Query("select p from Project p where p.createdAt > ?1 or (p.createdAt = ?1 and p.id > ?2) order by p.createdAt, p.id")
    List<Project> findPage(java.time.Instant afterCreated, UUID afterId, Limit limit);

    @Query("select p from Project p order by p.createdAt, p.id")
    List<Project> findFirstPage(Limit limit);
}
