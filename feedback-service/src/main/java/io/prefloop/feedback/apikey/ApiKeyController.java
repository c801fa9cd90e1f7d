package io.prefloop.feedback.apikey;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.ApiKeys;
import io.prefloop.common.auth.Authenticator;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Labelers and other callers, each with a key shown once at creation. */
@RestController
@Allow(Role.ADMIN)
class ApiKeyController {

    record NewLabeler(@NotBlank @Size(max = 200) String name) {}

    record NewApiKey(@NotBlank @Size(max = 200) String name, @jakarta.validation.constraints.NotNull Role role) {}

    /** {@code key} is present only in the response that created it. */
    record ApiKeyView(UUID id, String name, String role, Instant createdAt, Instant revokedAt, String key) {
        static ApiKeyView of(ApiKey k, String key) {
            return new ApiKeyView(k.getId(), k.getName(), k.getRole(), k.getCreatedAt(), k.getRevokedAt(), key);
        }
    }

    private final ApiKeyRepository keys;
    private final Authenticator authenticator;

    ApiKeyController(ApiKeyRepository keys, Authenticator authenticator) {
        this.keys = keys;
        this.authenticator = authenticator;
    }

    @PostMapping("/v1/labelers")
    @ResponseStatus(HttpStatus.CREATED)
    @Transactional
    ApiKeyView createLabeler(@Valid @RequestBody NewLabeler request) {
        return create(request.name(), Role.LABELER);
    }

    @GetMapping("/v1/labelers")
    List<ApiKeyView> labelers() {
        return keys.findByRoleOrderByCreatedAt("labeler").stream().map(k -> ApiKeyView.of(k, null)).toList();
    }

    @PostMapping("/v1/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    @Transactional
    ApiKeyView createKey(@Valid @RequestBody NewApiKey request) {
        return create(request.name(), request.role());
    }

    @DeleteMapping("/v1/api-keys/{id}")
    @Transactional
    ApiKeyView revoke(@PathVariable UUID id) {
        keys.findById(id).orElseThrow(() -> ApiException.notFound("API key", id));
        keys.revoke(id);
        authenticator.forget();
        return ApiKeyView.of(keys.findById(id).orElseThrow(), null);
    }

    private ApiKeyView create(String name, Role role) {
        String key = ApiKeys.newKey();
        UUID id = UUID.randomUUID();
        keys.insert(id, name.strip(), role.json(), ApiKeys.hash(key));
        return new ApiKeyView(id, name.strip(), role.json(), Instant.now(), null, key);
    }
}
