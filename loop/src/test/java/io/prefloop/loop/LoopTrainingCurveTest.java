package io.prefloop.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class LoopTrainingCurveTest {

    private static List<JsonNode> events(String... json) {
        List<JsonNode> events = new ArrayList<>();
        for (String e : json) {
            events.add(Http.JSON.readTree(e));
        }
        return events;
    }

    private static String metrics(int step, String data) {
        return "{\"type\":\"metrics\",\"data\":{" + data + ",\"step\":" + step + ",\"total_steps\":3}}";
    }

    @Test
    void diffusionStepsCarryLossTheMseRatioAndGradNorm() {
        TrainingCurve curve = TrainingCurve.of("job", 500.0, events(
                "{\"type\":\"message\",\"data\":null}",
                metrics(1, "\"loss\":0.7,\"model_mse\":0.1,\"ref_mse\":0.1,\"implicit_acc\":0.5,\"grad_norm\":2.0"),
                metrics(2, "\"loss\":0.6,\"model_mse\":0.12,\"ref_mse\":0.1,\"implicit_acc\":0.6,\"grad_norm\":1.5"),
                "{\"type\":\"promotion\",\"data\":{\"promoted\":false}}"));

        assertThat(curve.ratio()).isEqualTo(TrainingCurve.Ratio.MSE);
        assertThat(curve.steps()).extracting(TrainingCurve.Step::step).containsExactly(1, 2);
        assertThat(curve.steps().get(1).loss()).isEqualTo(0.6);
        assertThat(curve.steps().get(1).ratio()).isCloseTo(1.2, within(1e-9));
        assertThat(curve.hasGradNorm()).isTrue();
        assertThat(curve.summary()).isEqualTo("loss 0.600, mse ratio 1.200");
    }

    @Test
    void textDpoRatioIsTheChosenNllOfPolicyOverReference() {
        // β 0.5: rewards/chosen = 0.5·(log π − log π_ref) = 0.5·(−12 − (−10)) = −1
        TrainingCurve curve = TrainingCurve.of("job", 0.5, events(
                metrics(1, "\"loss\":0.69,\"rewards/chosen\":-1.0,\"logps/chosen\":-12.0,\"rewards/accuracies\":0.5")));

        assertThat(curve.ratio()).isEqualTo(TrainingCurve.Ratio.NLL);
        assertThat(curve.steps().get(0).ratio()).isCloseTo(1.2, within(1e-9));
        assertThat(curve.hasGradNorm()).isFalse();
        assertThat(TrainingCurve.of("job", null, events(metrics(1, "\"loss\":0.69,\"rewards/chosen\":-1.0,"
                + "\"logps/chosen\":-12.0"))).ratio()).as("no β, no ratio").isEqualTo(TrainingCurve.Ratio.NONE);
    }

    @Test
    void ppoStepsDrawThePolicyLossWithoutARatio() {
        TrainingCurve curve = TrainingCurve.of("job", null, events(
                metrics(1, "\"loss/policy_avg\":-0.02,\"objective/kl\":0.1,\"grad_norm\":0.5")));

        assertThat(curve.ratio()).isEqualTo(TrainingCurve.Ratio.NONE);
        assertThat(curve.steps().get(0).loss()).isEqualTo(-0.02);
        assertThat(curve.steps().get(0).gradNorm()).isEqualTo(0.5);
    }

    @Test
    void aRepeatedStepKeepsItsLastEvent_nonFiniteValuesSurviveAsWritten() {
        // a resumed job reports the steps after its intermediate checkpoint again
        TrainingCurve curve = TrainingCurve.of("job", null, events(
                metrics(1, "\"loss\":1.0"), metrics(2, "\"loss\":5.0"), metrics(2, "\"loss\":\"NaN\""),
                metrics(3, "\"loss\":\"Infinity\",\"grad_norm\":null")));

        assertThat(curve.steps()).extracting(TrainingCurve.Step::step).containsExactly(1, 2, 3);
        assertThat(curve.steps().get(1).loss()).isNaN();
        assertThat(curve.steps().get(2).loss()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(curve.steps().get(2).gradNorm()).isNull();
        assertThat(curve.ratio()).isEqualTo(TrainingCurve.Ratio.NONE);
        assertThat(curve.summary()).isEqualTo("loss Infinity");
    }

    @Test
    void eventsArePagedThroughWithTheCursor() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> asked = new ArrayList<>();
        server.createContext("/v1/jobs/j1/events", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            asked.add(query);
            String body = query.contains("after=2")
                    ? "{\"data\":[" + metrics(3, "\"loss\":0.3") + "],\"next_cursor\":null,\"has_more\":false}"
                    : "{\"data\":[" + metrics(1, "\"loss\":0.9") + "," + metrics(2, "\"loss\":0.5")
                            + "],\"next_cursor\":\"2\",\"has_more\":true}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            Http trainer = new Http("http://127.0.0.1:" + server.getAddress().getPort());
            List<JsonNode> events = TrainingCurve.events(trainer, "key", "j1");
            assertThat(events).hasSize(3);
            assertThat(asked).containsExactly("limit=1000", "limit=1000&after=2");
            assertThat(TrainingCurve.of("j1", null, events).steps()).hasSize(3);
        } finally {
            server.stop(0);
        }
    }
}
