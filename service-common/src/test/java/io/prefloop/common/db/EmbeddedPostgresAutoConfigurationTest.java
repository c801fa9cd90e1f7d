package io.prefloop.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.simple.JdbcClient;

class EmbeddedPostgresAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class));

    @Test
    void dataSurvivesARestartInTheServicesDataDirectory(@TempDir Path dir) {
        String dataDir = "prefloop.embedded-postgres.data-dir=" + dir.resolve("feedback");
        runner.withPropertyValues("spring.application.name=feedback", dataDir).run(context -> {
            JdbcClient jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("select current_database()").query(String.class).single()).isEqualTo("feedback");
            assertThat(jdbc.sql("show fsync").query(String.class).single()).isEqualTo("on");
            assertThat(jdbc.sql("show synchronous_commit").query(String.class).single()).isEqualTo("on");
            jdbc.sql("create table kept (v text)").update();
            jdbc.sql("insert into kept values ('judgment')").update();
        });
        runner.withPropertyValues("spring.application.name=feedback", dataDir).run(context -> {
            JdbcClient jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("select v from kept").query(String.class).single()).isEqualTo("judgment");
        });
    }

    @Test
    void backsOffWhenADatasourceUrlIsConfigured() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db:5432/feedback")
                .run(context -> assertThat(context).doesNotHaveBean(DataSource.class));
    }
}
