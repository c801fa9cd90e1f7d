package io.prefloop.feedback.apikey;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The api_keys table. */
@Repository
public class ApiKeyRepository {

    private static final String SELECT = "select id, name, role, key_hash, created_at, revoked_at from api_keys";

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<ApiKey> findByKeyHashAndRevokedAtIsNull(String keyHash) {
        return jdbc.sql(SELECT + " where key_hash = ? and revoked_at is null").param(keyHash)
                .query(ApiKeyRepository::map).optional();
    }

    public List<ApiKey> findByRoleOrderByCreatedAt(String role) {
        return jdbc.sql(SELECT + " where role = ? order by created_at").param(role).query(ApiKeyRepository::map).list();
    }

    public Optional<ApiKey> findById(UUID id) {
        return jdbc.sql(SELECT + " where id = ?").param(id).query(ApiKeyRepository::map).optional();
    }

    /** Stores a new key; {@code created_at} is the database's clock. */
    void insert(UUID id, String name, String role, String keyHash) {
        jdbc.sql("insert into api_keys (id, name, role, key_hash) values (?, ?, ?, ?)")
                .params(id, name, role, keyHash).update();
    }

    /** Marks the key revoked now, unless it already was. */
    void revoke(UUID id) {
        jdbc.sql("update api_keys set revoked_at = now() where id = ? and revoked_at is null").param(id).update();
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("role"),
                rs.getString("key_hash"), rs.getTimestamp("created_at").toInstant(),
                revoked == null ? null : revoked.toInstant());
    }
}
