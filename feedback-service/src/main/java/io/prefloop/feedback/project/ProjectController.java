package io.prefloop.feedback.project;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.idempotency.Idempotency;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ProjectController {

    record NewProject(
            @NotBlank @Size(max = 200) String name,
            @NotNull Modality modality,
            @Size(max = 20_000) String instructions,
            @Min(1) @Max(50) Integer judgmentsPerPair,
            Boolean allowTies,
            @Valid NewSelection selection) {}

    /** @param randomShare 0.2 when absent */
    record NewSelection(@NotNull SelectionMode mode, @DecimalMin("0") @DecimalMax("1") Double randomShare) {
        Selection toSelection() {
            return new Selection(mode, randomShare == null ? Selection.DEFAULT_RANDOM_SHARE : randomShare);
        }
    }

    record ProjectView(UUID id, String name, Modality modality, String instructions, int judgmentsPerPair,
            boolean allowTies, Selection selection, Instant createdAt) {
        static ProjectView of(Project p) {
            return new ProjectView(p.getId(), p.getName(), p.getModality(), p.getInstructions(),
                    p.getJudgmentsPerPair(), p.isAllowTies(), p.getSelection(), p.getCreatedAt());
        }
    }

    private final ProjectRepository projects;
    private final Projects lookup;
    private final Idempotency idempotency;

    ProjectController(ProjectRepository projects, Projects lookup, Idempotency idempotency) {
        this.projects = projects;
        this.lookup = lookup;
        this.idempotency = idempotency;
    }

    @PostMapping("/v1/projects")
    @Allow(Role.ADMIN)
    @Transactional
    ResponseEntity<?> create(@Valid @RequestBody NewProject request, Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        return idempotency.once(caller, idempotencyKey, request, () -> {
            Project project = new Project(UUID.randomUUID(), request.name().strip(), request.modality(),
                    request.instructions() == null ? "" : request.instructions(),
                    request.judgmentsPerPair() == null ? 1 : request.judgmentsPerPair(),
                    request.allowTies() == null || request.allowTies(),
                    request.selection() == null ? Selection.FIFO : request.selection().toSelection(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS));
            return ProjectView.of(projects.insert(project));
        });
    }

    /** Changes how tasks/next picks pairs from now on; leases already given are kept. */
    @PutMapping("/v1/projects/{id}/selection")
    @Allow({Role.ADMIN, Role.SERVICE})
    Selection selection(@PathVariable UUID id, @Valid @RequestBody NewSelection request) {
        Selection selection = request.toSelection();
        if (!projects.updateSelection(id, selection)) {
            lookup.require(id);
        }
        return selection;
    }

    @GetMapping("/v1/projects/{id}")
    @Allow({Role.ADMIN, Role.LABELER, Role.SERVICE})
    ProjectView get(@PathVariable UUID id) {
        return ProjectView.of(lookup.require(id));
    }

    @GetMapping("/v1/projects")
    @Allow({Role.ADMIN, Role.LABELER, Role.SERVICE})
    Page<ProjectView> list(@RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        int size = Page.checkLimit(limit);
        List<Project> found;
        if (after == null) {
            found = projects.findFirstPage(size + 1);
        } else {
            Project last = lookup.require(Page.uuidCursor(after));
            found = projects.findPage(last.getCreatedAt(), last.getId(), size + 1);
        }
        return Page.of(found.stream().map(ProjectView::of).toList(), size, v -> v.id().toString());
    }
}
