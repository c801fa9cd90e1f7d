package io.prefloop.common.auth;

import java.util.Optional;

/** Looks up the caller behind a key's SHA-256 hash (a service with a database stores its keys). */
public interface ApiKeyDirectory {

    Optional<Caller> findByKeyHash(String keyHash);
}
