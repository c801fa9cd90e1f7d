package io.prefloop.common.db;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Starts an embedded PostgreSQL (a real server, not an emulation) when the service has no
 * {@code spring.datasource.url}, so that {@code java -jar} alone works on a laptop and tests run
 * where no Docker engine answers. Its data persists under {@code ./data/<service>/}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(EmbeddedPostgres.class)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
@EnableConfigurationProperties(EmbeddedPostgresProperties.class)
public class EmbeddedPostgresAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresAutoConfiguration.class);

    /** Taken before the data directory is touched; released after the PostgreSQL that depends on it has stopped. */
    @Bean(destroyMethod = "close")
    DataDirectoryLock embeddedPostgresDataDirectory(EmbeddedPostgresProperties configured, Environment environment)
            throws IOException {
        EmbeddedPostgresProperties properties = configured.withDefaultsFor(serviceName(environment));
        if (properties.ephemeral()) {
            return DataDirectoryLock.temporary(Files.createTempDirectory("prefloop-pg-"));
        }
        Path dir = Path.of(properties.dataDir()).toAbsolutePath().normalize();
        Files.createDirectories(dir);
        return DataDirectoryLock.acquire(dir);
    }

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(DataDirectoryLock dataDirectory, EmbeddedPostgresProperties configured,
            Environment environment) throws IOException {
        EmbeddedPostgresProperties properties = configured.withDefaultsFor(serviceName(environment));
        Path dir = dataDirectory.dir();
        // with the lock held, a PostgreSQL still running on the directory has no live service
        StalePostmaster.stopIfRunning(dir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(properties.ephemeral())
                .setPort(properties.port())
                .setServerConfig("max_connections", "200")
                // the library's defaults suit throw-away test databases (-F, synchronous_commit=off);
                // a service's own database must not lose an acknowledged commit
                .setServerConfig("fsync", properties.fsync() ? "on" : "off")
                .setServerConfig("synchronous_commit", properties.fsync() ? "on" : "off")
                .start();
        log.info("Embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dir);
        return postgres;
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres postgres, EmbeddedPostgresProperties configured, Environment environment)
            throws SQLException {
        EmbeddedPostgresProperties properties = configured.withDefaultsFor(serviceName(environment));
        createDatabaseIfMissing(postgres, properties.database());
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", properties.database()));
        dataSource.setUsername("postgres");
        dataSource.setPoolName("embedded-" + properties.database());
        dataSource.setMaximumPoolSize(40);
        return dataSource;
    }

    private static String serviceName(Environment environment) {
        return environment.getProperty("spring.application.name", "prefloop");
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres, String database) throws SQLException {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Database name must be a plain identifier: " + database);
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet existing = statement.executeQuery(
                        "select 1 from pg_database where datname = '" + database + "'")) {
            if (!existing.next()) {
                statement.execute("create database " + database);
            }
        }
    }
}
