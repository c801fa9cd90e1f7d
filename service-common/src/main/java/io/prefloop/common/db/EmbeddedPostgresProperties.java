package io.prefloop.common.db;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded PostgreSQL a service starts when no {@code SPRING_DATASOURCE_URL} is set.
 *
 * @param dataDir where the cluster lives, by default {@code ./data/<spring.application.name>}; it
 *     survives restarts unless {@code ephemeral}; the running service holds a lock on
 *     {@code <dataDir>.lock}, and a second one started on the same directory is refused
 * @param database the database the service owns, by default {@code spring.application.name}
 * @param port 0 picks a free port
 * @param ephemeral a throw-away cluster in a temporary directory (tests)
 * @param fsync off only where losing data on a crash does not matter (tests)
 */
@ConfigurationProperties("prefloop.embedded-postgres")
public record EmbeddedPostgresProperties(
        String dataDir,
        String database,
        @DefaultValue("0") int port,
        @DefaultValue("false") boolean ephemeral,
        @DefaultValue("true") boolean fsync) {

    EmbeddedPostgresProperties withDefaultsFor(String service) {
        return new EmbeddedPostgresProperties(dataDir == null ? "./data/" + service : dataDir,
                database == null ? service : database, port, ephemeral, fsync);
    }
}
