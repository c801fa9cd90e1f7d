package io.prefloop.trainer;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The real feedback-service, from its jar, for one test class: a static {@code @RegisterExtension}
 * field whose {@link #wire} the class's {@code @DynamicPropertySource} calls. It starts when the
 * trainer's context is built (database under {@code <dir>/feedback}), points the trainer at it and
 * at the checkpoint store {@link #store()}, and stops after the class.
 */
public final class FeedbackForTrainer implements AfterAllCallback {

    private final Path dir;
    private final int port = TrainerTestSupport.freePort();
    private final String adminKey;
    private final String serviceKey;
    private ServiceProcess process;

    public FeedbackForTrainer(String dirPrefix, String adminKey, String serviceKey) {
        this.dir = TrainerTestSupport.tempDir(dirPrefix);
        this.adminKey = adminKey;
        this.serviceKey = serviceKey;
    }

    /** The checkpoint store the trainer under test uses. */
    public Path store() {
        return dir.resolve("store");
    }

    public void wire(DynamicPropertyRegistry trainer) throws IOException {
        process = ServiceProcess.startJar("feedback-service", Files.createDirectories(dir.resolve("feedback")), port,
                Map.of("PREFLOOP_ADMIN_KEY", adminKey, "PREFLOOP_SERVICE_KEY", serviceKey));
        trainer.add("prefloop.checkpoints.root", () -> store().toString());
        trainer.add("prefloop.trainer.feedback.url", () -> "http://localhost:" + port);
    }

    public ApiClient api() {
        return process.api();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }
}
