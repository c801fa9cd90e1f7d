package io.prefloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A promotion in the registry swaps the served checkpoint while clients keep generating. */
class HotSwapTest extends InferenceTest {

    @Autowired
    ServedModels models;

    @Test
    void aPromotedCheckpointIsSwappedInWhileRequestsRunAndNoneFails() throws Exception {
        awaitServed("swap-unet", "v0001");
        LoadedModel old = models.slot("swap-unet").current();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger afterSwap = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<List<String>> seen = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            List<String> versions = Collections.synchronizedList(new ArrayList<>());
            seen.add(versions);
            int client = c;
            Thread thread = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    ApiClient.Response r = api().post("/v1/images/generations", SERVICE,
                            "{\"model\":\"swap-unet\",\"prompt\":\"a blue square\",\"steps\":4,\"seed\":"
                                    + (client * 1000 + i) + "}");
                    if (r.status() != 200) {
                        failures.add(r.status() + " " + r.body());
                        continue;
                    }
                    String version = r.json().get("data").get(0).get("version").asString();
                    versions.add(version);
                    if (version.equals("v0002")) {
                        afterSwap.incrementAndGet();
                    }
                }
            });
            thread.start();
            clients.add(thread);
        }
        long ready = System.currentTimeMillis() + 60_000;
        while (seen.stream().anyMatch(List::isEmpty) && System.currentTimeMillis() < ready && failures.isEmpty()) {
            sleep(50); // every client has been served by v0001 at least once
        }
        platform().promote("swap-unet", "v0002");
        long deadline = System.currentTimeMillis() + 90_000;
        while (afterSwap.get() < 8 && System.currentTimeMillis() < deadline && failures.isEmpty()) {
            sleep(50);
        }
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }

        assertThat(failures).isEmpty();
        assertThat(afterSwap.get()).isGreaterThanOrEqualTo(8);
        for (List<String> versions : seen) {
            assertThat(versions).contains("v0001");
            // once a client has seen the new checkpoint it never gets the old one again
            int first = versions.indexOf("v0002");
            assertThat(first).isPositive();
            assertThat(versions.subList(first, versions.size())).containsOnly("v0002");
        }
        assertThat(old.isClosed()).as("the old checkpoint's arrays are released").isTrue();
        assertThat(models.slot("swap-unet").current().id().version()).isEqualTo("v0002");

        platform().promote("swap-unet", "v0001"); // back, for whoever runs next
        awaitServed("swap-unet", "v0001");
    }
}
