package io.prefloop.feedback.apikey;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A caller's key, stored as its SHA-256; for labelers, the id is the labeler's id. */
@Entity
@Table(name = "api_keys")
public class ApiKey {

    @Id
    private UUID id;

    private String name;

    private String role;

    @Column(name = "key_hash")
    private String keyHash;

    @Column(name = "created_at", insertable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected ApiKey() {}

    public ApiKey(UUID id, String name, String role, String keyHash) {
        this.id = id;
        this.name = name;
        this.role = role;
        this.keyHash = keyHash;
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

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getRevokedAt() {
        return revokedAt;
    }

    public void revoke() {
        this.revokedAt = Instant.now();
    }
}
