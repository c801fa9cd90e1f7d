package io.prefloop.trainer.campaign;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import io.prefloop.common.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Allow({Role.ADMIN, Role.SERVICE})
class CampaignController {

    /** @param heldOut add them as held-out prompts (evaluated, never proposed for training) */
    record NewPrompts(@NotEmpty @Size(max = 10_000) List<@NotBlank @Size(max = 1000) String> prompts, Boolean heldOut) {}

    private final Campaigns campaigns;
    private final CampaignHistory history;
    private final CampaignEvaluations evaluations;

    CampaignController(Campaigns campaigns, CampaignHistory history, CampaignEvaluations evaluations) {
        this.evaluations = evaluations;
        this.campaigns = campaigns;
        this.history = history;
    }

    @PostMapping("/v1/campaigns")
    @ResponseStatus(HttpStatus.CREATED)
    CampaignView create(@Valid @RequestBody NewCampaign request, Caller caller) {
        return campaigns.create(request, caller);
    }

    @GetMapping("/v1/campaigns")
    List<CampaignView> list() {
        return campaigns.list();
    }

    @GetMapping("/v1/campaigns/{id}")
    CampaignView get(@PathVariable UUID id) {
        return campaigns.require(id);
    }

    @PostMapping("/v1/campaigns/{id}/prompts")
    CampaignView addPrompts(@PathVariable UUID id, @Valid @RequestBody NewPrompts request) {
        return campaigns.addPrompts(id, request.prompts(), Boolean.TRUE.equals(request.heldOut()));
    }

    /** A prompt file: one prompt per line (blank lines skipped), as {@code text/plain}. */
    @PostMapping(path = "/v1/campaigns/{id}/prompts", consumes = "text/plain")
    CampaignView uploadPrompts(@PathVariable UUID id, @RequestBody String file,
            @RequestParam(name = "held_out", defaultValue = "false") boolean heldOut) {
        List<String> prompts = new ArrayList<>();
        String[] lines = file.split("\\r?\\n");
        for (int i = 0; i < lines.length; i++) {
            String prompt = lines[i].strip();
            if (prompt.length() > 1000) {
                throw ApiException.invalid("line " + (i + 1), "a prompt may have at most 1000 characters");
            }
            if (!prompt.isEmpty()) {
                prompts.add(prompt);
            }
        }
        if (prompts.isEmpty() || prompts.size() > 10_000) {
            throw ApiException.invalid("prompts", "the file must hold 1 to 10,000 prompts, one per line");
        }
        return campaigns.addPrompts(id, prompts, heldOut);
    }

    @PostMapping("/v1/campaigns/{id}/pause")
    CampaignView pause(@PathVariable UUID id) {
        return campaigns.setState(id, "paused");
    }

    @PostMapping("/v1/campaigns/{id}/resume")
    CampaignView resume(@PathVariable UUID id) {
        return campaigns.setState(id, "active");
    }

    /** Stops the campaign for good (its policy is paused); open pairs stay for labelers. */
    @PostMapping("/v1/campaigns/{id}/stop")
    CampaignView stop(@PathVariable UUID id) {
        return campaigns.setState(id, "stopped");
    }

    @GetMapping("/v1/campaigns/{id}/proposals")
    List<CampaignHistory.ProposalView> proposals(@PathVariable UUID id) {
        return history.proposals(id);
    }

    /** Each served checkpoint's evaluation rendering and its human win rate against the one before. */
    @GetMapping("/v1/campaigns/{id}/evaluations")
    List<CampaignEvaluations.EvaluationView> evaluations(@PathVariable UUID id) {
        return evaluations.list(id);
    }

    @GetMapping("/v1/campaigns/{id}/depth")
    List<CampaignHistory.DepthSample> depth(@PathVariable UUID id) {
        return history.depth(id);
    }
}
