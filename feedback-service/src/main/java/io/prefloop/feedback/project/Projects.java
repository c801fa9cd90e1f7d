package io.prefloop.feedback.project;

import io.prefloop.common.web.ApiException;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Finds a project or answers 404, for every feature that works inside one. */
@Component
public class Projects {

    private final ProjectRepository repository;

    Projects(ProjectRepository repository) {
        this.repository = repository;
    }

    public Project require(UUID id) {
        return repository.findById(id).orElseThrow(() -> ApiException.notFound("Project", id));
    }
}
