package io.prefloop.feedback.export;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.comparison.FeedSequencer;
import io.prefloop.feedback.project.Modality;
import io.prefloop.feedback.project.Project;
import io.prefloop.feedback.project.Projects;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

@RestController
class ExportController {

    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final Projects projects;
    private final FeedSequencer sequencer;
    private final NdjsonExporter exporter;

    ExportController(Projects projects, FeedSequencer sequencer, NdjsonExporter exporter) {
        this.projects = projects;
        this.sequencer = sequencer;
        this.exporter = exporter;
    }

    /** Streams the project's resolved comparisons, in feed order, at constant memory. */
    @GetMapping("/v1/projects/{projectId}/export")
    @Allow({Role.ADMIN, Role.SERVICE})
    ResponseEntity<StreamingResponseBody> export(@PathVariable UUID projectId,
            @RequestParam(defaultValue = "trl") String format) {
        ExportFormat parsed = ExportFormat.parse(format);
        Project project = projects.require(projectId);
        if (parsed == ExportFormat.OPENAI && project.getModality() != Modality.TEXT) {
            throw ApiException.invalid("format", "openai preference data holds texts; this project compares images");
        }
        if (parsed == ExportFormat.PICKAPIC && project.getModality() != Modality.IMAGE) {
            throw ApiException.invalid("format", "pickapic holds images; this project compares texts");
        }
        long upTo = sequencer.sequence(projectId);
        String filename = "project-" + projectId + "-" + parsed.name().toLowerCase() + ".jsonl";
        return ResponseEntity.ok().contentType(NDJSON)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"")
                .header("X-Feed-Position", Long.toString(upTo))
                .body(out -> exporter.write(parsed, project, upTo, out));
    }
}
