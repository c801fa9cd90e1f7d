package io.prefloop.inference.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Concurrent completion requests share generator runs, and get the completions they would get alone. */
class CompletionBatchingTest extends InferenceTest {

    private static final String[] PROMPTS = {"Q: What colour is grass?\\nA:", "Q: Name a large animal that lives in the sea.\\nA:"};

    @Autowired
    TextCompletions completions;

    private ApiClient.Response complete(int i) {
        // prompts of two lengths, greedy and sampled rows, a seed each
        return api().post("/v1/completions", SERVICE, "{\"model\":\"replies-base\",\"prompt\":\"" + PROMPTS[i % 2]
                + "\",\"max_tokens\":12,\"n\":2,\"temperature\":" + (i % 4 < 2 ? "0" : "1") + ",\"seed\":" + (40 + i) + "}");
    }

    @Test
    void concurrentRequestsShareRunsAndGetWhatTheyWouldAlone() throws Exception {
        awaitServed("replies-base", "v0001");
        int clients = 8;
        long batchesBefore = completions.batcher().batches();
        long rowsBefore = completions.batcher().rows();
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
                responses[c] = complete(c);
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long deadline = System.currentTimeMillis() + 5000; // the counters move just after the responses
        while (completions.batcher().rows() - rowsBefore < 2L * clients && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        long batches = completions.batcher().batches() - batchesBefore;
        assertThat(completions.batcher().rows() - rowsBefore).isEqualTo(2L * clients);
        assertThat(batches).as("8 requests in %d generator runs", batches).isLessThanOrEqualTo(4);

        for (int i = 0; i < clients; i++) {
            assertThat(responses[i].status()).as(responses[i].body()).isEqualTo(200);
            assertThat(responses[i].json().get("choices").findValuesAsString("text")).as("request %d", i)
                    .isEqualTo(complete(i).json().get("choices").findValuesAsString("text"));
        }
    }
}
