package io.prefloop.inference.proposal;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import jakarta.validation.Valid;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ProposalController {

    private final Proposals proposals;

    ProposalController(Proposals proposals) {
        this.proposals = proposals;
    }

    @PostMapping("/v1/projects/{project}/proposals")
    @Allow({Role.ADMIN, Role.SERVICE})
    @ResponseStatus(HttpStatus.CREATED)
    Proposals.Result propose(@PathVariable UUID project, @Valid @RequestBody ProposalRequest request) {
        return proposals.propose(project, request);
    }
}
