package io.prefloop.inference.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** A service whose queue holds one request answers the rest 503 with Retry-After. */
@TestPropertySource(properties = {"prefloop.inference.batching.queue-capacity=1",
        "prefloop.inference.batching.max-batch=1"})
class OverloadTest extends InferenceTest {

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        awaitServed("shapes-unet", "v0002");
        List<ApiClient.Response> responses = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int seed = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                responses.add(api().post("/v1/images/generations", SERVICE,
                        "{\"model\":\"shapes-unet\",\"prompt\":\"a red circle\",\"steps\":40,\"seed\":" + seed + "}"));
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        List<ApiClient.Response> refused = responses.stream().filter(r -> r.status() == 503).toList();
        assertThat(responses.stream().filter(r -> r.status() == 200).count()).isGreaterThanOrEqualTo(2);
        assertThat(refused).isNotEmpty();
        assertThat(responses).allMatch(r -> r.status() == 200 || r.status() == 503);
        for (ApiClient.Response r : refused) {
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        }
    }
}
