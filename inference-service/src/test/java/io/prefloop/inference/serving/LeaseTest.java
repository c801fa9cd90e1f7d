package io.prefloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A request thread starts with PyTorch's autograd recording on; with it on, every sampling step keeps
 * its graph alive and a proposals call of 60 images grew the service's resident memory by about 2 GB.
 * Taking a lease must turn it off.
 */
class LeaseTest {

    @Test
    void takingALeaseTurnsAutogradRecordingOffOnTheRequestThread() throws Exception {
        Engine.getEngine("PyTorch"); // load the engine on this thread first, as the service does
        AtomicBoolean before = new AtomicBoolean();
        AtomicBoolean during = new AtomicBoolean(true);
        try (NDManager manager = NDManager.newBaseManager()) {
            LoadedModel model = new LoadedModel(null, null, null, manager.newSubManager());
            Thread request = new Thread(() -> {
                before.set(JniUtils.isGradMode());
                assertThat(model.tryAcquire()).isTrue();
                try (Lease lease = new Lease(model)) {
                    during.set(JniUtils.isGradMode());
                }
            });
            request.start();
            request.join();
        }
        assertThat(before).as("a fresh thread records autograd graphs").isTrue();
        assertThat(during).as("recording while a lease is held").isFalse();
    }
}
