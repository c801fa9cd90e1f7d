package io.prefloop.feedback.apikey;

import io.prefloop.common.auth.ApiKeyDirectory;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import java.util.Optional;
import org.springframework.stereotype.Component;

@Component
class DatabaseApiKeyDirectory implements ApiKeyDirectory {

    private final ApiKeyRepository keys;

    DatabaseApiKeyDirectory(ApiKeyRepository keys) {
        this.keys = keys;
    }

    @Override
    public Optional<Caller> findByKeyHash(String keyHash) {
        return keys.findByKeyHashAndRevokedAtIsNull(keyHash)
                .map(k -> new Caller(k.getId().toString(), k.getName(), Role.parse(k.getRole())));
    }
}
