package io.prefloop.inference.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.image.ImageGenerator;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.inference.support.InferenceTest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Concurrent HTTP requests share sampler runs, and get the images they would get alone. */
class BatchingTest extends InferenceTest {

    @Autowired
    ImageGenerator generator;

    private ApiClient.Response generate(long seed) {
        return api().post("/v1/images/generations", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompt\":\"a green triangle\",\"steps\":5,\"seed\":" + seed + "}");
    }

    @Test
    void concurrentRequestsShareForwardPasses() throws Exception {
        awaitServed("shapes-unet", "v0002");
        int clients = 8;
        long batchesBefore = generator.batcher().batches();
        long rowsBefore = generator.batcher().rows();
        CountDownLatch start = new CountDownLatch(1);
        ApiClient.Response[] responses = new ApiClient.Response[clients];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int c = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                responses[c] = generate(100 + c);
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long deadline = System.currentTimeMillis() + 5000; // the counters move just after the responses
        while (generator.batcher().rows() - rowsBefore < clients && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        long batches = generator.batcher().batches() - batchesBefore;
        assertThat(generator.batcher().rows() - rowsBefore).isEqualTo(clients);
        assertThat(batches).as("8 requests in %d sampler runs", batches).isLessThanOrEqualTo(4);

        for (int i = 0; i < clients; i++) {
            assertThat(responses[i].status()).isEqualTo(200);
            String batched = responses[i].json().get("data").get(0).get("b64_json").asString();
            String alone = generate(100 + i).json().get("data").get(0).get("b64_json").asString();
            // a batched run may differ from a lone one in the last float bits (torch's kernels
            // sum in another order), so a pixel may land one 8-bit level away, never more
            float[] a = ImagePng.decodeOrNull(Base64.getDecoder().decode(batched), 16);
            float[] b = ImagePng.decodeOrNull(Base64.getDecoder().decode(alone), 16);
            for (int p = 0; p < a.length; p++) {
                assertThat(Math.abs(a[p] - b[p]) * 127.5f).isLessThanOrEqualTo(1.01f);
            }
        }
    }
}
