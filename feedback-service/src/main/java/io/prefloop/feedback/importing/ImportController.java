package io.prefloop.feedback.importing;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.io.Sha256;
import io.prefloop.feedback.idempotency.Idempotency;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ImportController {

    /** What a retry must repeat to be replayed: the body by its hash (a record, so its JSON has one order). */
    record Request(UUID project, String format, String bodySha256) {}

    private final Importer importer;
    private final Idempotency idempotency;

    ImportController(Importer importer, Idempotency idempotency) {
        this.importer = importer;
        this.idempotency = idempotency;
    }

    /**
     * A preference dataset as JSON lines, each row two candidates and one resolved training pair
     * that enters the comparisons feed; all or nothing.
     */
    @PostMapping(path = "/v1/projects/{projectId}/import", consumes = {"application/x-ndjson", "application/jsonl"})
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional
    ResponseEntity<?> importRows(@PathVariable UUID projectId, @RequestParam(required = false) String format,
            @RequestBody byte[] body, Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        ImportFormat parsed = ImportFormat.parse(format);
        return idempotency.once(caller, idempotencyKey, new Request(projectId, parsed.json(), Sha256.hex(body)),
                () -> importer.run(projectId, parsed, body, caller.id()));
    }
}
