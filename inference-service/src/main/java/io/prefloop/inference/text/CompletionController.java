package io.prefloop.inference.text;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import io.prefloop.model.text.SamplingParams;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class CompletionController {

    record Choice(int index, String text, String finishReason) {}

    record CompletionResponse(String id, String object, long created, String model, String checkpoint, long seed,
            List<Choice> choices) {}

    private final TextCompletions completions;

    CompletionController(TextCompletions completions) {
        this.completions = completions;
    }

    @PostMapping("/v1/completions")
    @Allow({Role.ADMIN, Role.SERVICE})
    CompletionResponse complete(@Valid @RequestBody CompletionRequest r) {
        int n = r.n() == null ? 1 : r.n();
        long seed = r.seed() == null || r.seed() == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : r.seed();
        SamplingParams params = new SamplingParams(r.maxTokens() == null ? 16 : r.maxTokens(),
                r.temperature() == null ? 1 : r.temperature(), r.topP() == null ? 1 : r.topP(), seed);
        TextCompletions.Result result = completions.complete(r.model(), Collections.nCopies(n, r.prompt()), params);
        List<Choice> choices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            choices.add(new Choice(i, result.generations().get(i).text(), result.generations().get(i).finishReason()));
        }
        return new CompletionResponse("cmpl-" + UUID.randomUUID(), "text_completion", Instant.now().getEpochSecond(),
                r.model(), result.checkpoint().toString(), seed, choices);
    }
}
