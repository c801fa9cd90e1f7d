package io.prefloop.feedback.apikey;

import java.time.Instant;
import java.util.UUID;

/** A caller's key, stored as its SHA-256; for labelers, the id is the labeler's id. */
public class ApiKey {

    private final UUID id;
    private final String name;
    private final String role;
    private final String keyHash;
    private final Instant createdAt;
    private final Instant revokedAt;

    public ApiKey(UUID id, String name, String role, String keyHash, Instant createdAt, Instant revokedAt) {
        this.id = id;
        this.name = name;
        this.role = role;
        this.keyHash = keyHash;
        this.createdAt = createdAt;
        this.revokedAt = revokedAt;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getRole() {
        return role;
    }

    public String getKeyHash() {
        return keyHash;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getRevokedAt() {
        return revokedAt;
    }
}
