package io.prefloop.feedback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for the trainer-service's checkpoint registry (its {@code GET /v1/models} and
 * {@code GET /v1/models/{name}/checkpoints}) and campaigns ({@code GET /v1/campaigns}, and per
 * campaign {@code /depth}, {@code /proposals} and {@code /evaluations}), in the trainer's JSON,
 * which the feedback tests point {@code prefloop.feedback.trainer-url} at. It asks for the service
 * key like the trainer.
 *
 * <p>Two campaigns: {@link #CAMPAIGN} (active, with evaluations) and {@link #OTHER_CAMPAIGN}
 * (paused, with a last error, and a 404 for its evaluations as a trainer without them answers),
 * each in the project {@link #campaignProjects} gives it.
 */
public final class TrainerStub {

    public static final String MODEL = "shapes-base";

    public static final String CAMPAIGN = "6f1c2d3e-4a5b-4c6d-8e7f-000000000001";
    public static final String OTHER_CAMPAIGN = "6f1c2d3e-4a5b-4c6d-8e7f-000000000002";
    public static final int TARGET_DEPTH = 6;
    /** The open pairs of {@link #CAMPAIGN}'s depth samples, oldest first. */
    public static final int[] DEPTH = {0, 6, 4, 2, 8, 5, 7};
    /** Per checkpoint of {@link #CAMPAIGN}: resolved, open and retired pairs. */
    public static final int[][] COUNTS = {{10, 0, 2}, {8, 1, 0}, {3, 7, 0}};
    /** {@link #CAMPAIGN}'s evaluations: v0002 against v0001, v0003 against v0002. */
    public static final double[] WIN_RATE = {0.7, 0.45};
    public static final double[] CI_LOW = {0.52, 0.29};
    public static final double[] CI_HIGH = {0.83, 0.62};
    public static final double[] EVALUATED_METRIC = {0.61, 0.67};
    /** The registry's {@code heldout_implicit_acc} of v0001…v0003. */
    public static final double[] HELDOUT = {0.5, 0.58, 0.66};

    private static HttpServer server;
    private static volatile boolean failing;
    private static volatile String campaignProject = "00000000-0000-4000-8000-00000000000a";
    private static volatile String otherCampaignProject = "00000000-0000-4000-8000-00000000000b";

    private TrainerStub() {}

    public static synchronized String url() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", TrainerStub::handle);
            server.start();
        }
        return "http://localhost:" + server.getAddress().getPort();
    }

    /** While set, every call answers 503, as a trainer that is down or restarting. */
    public static void failing(boolean value) {
        failing = value;
    }

    /** The projects {@link #CAMPAIGN} and {@link #OTHER_CAMPAIGN} belong to. */
    public static void campaignProjects(String campaign, String other) {
        campaignProject = campaign;
        otherCampaignProject = other;
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (failing) {
            send(exchange, 503, "{\"title\":\"Service Unavailable\"}");
        } else if (!("Bearer " + FeedbackIntegrationTest.SERVICE).equals(auth)) {
            send(exchange, 401, "{\"title\":\"Unauthorized\"}");
        } else if (path.equals("/v1/models")) {
            send(exchange, 200, "[{\"name\":\"" + MODEL + "\",\"current_version\":\"v0003\",\"checkpoints\":3}]");
        } else if (path.equals("/v1/models/" + MODEL + "/checkpoints")) {
            send(exchange, 200, "[" + checkpoint("v0001", null, "pretrain", 0.0, 0.50, 0.41, "2025-06-01T09:00:00Z", false)
                    + "," + checkpoint("v0002", "v0001", "diffusion_dpo", 0.62, 0.64, 0.55, "2025-06-01T12:00:00Z", false)
                    + "," + checkpoint("v0003", "v0002", "diffusion_dpo", 0.71, 0.70, 0.63, "2025-06-01T15:30:00Z", true)
                    + "]");
        } else if (path.equals("/v1/campaigns")) {
            send(exchange, 200, "[" + campaign(CAMPAIGN) + "," + campaign(OTHER_CAMPAIGN) + "]");
        } else if (path.equals("/v1/campaigns/" + CAMPAIGN) || path.equals("/v1/campaigns/" + OTHER_CAMPAIGN)) {
            send(exchange, 200, campaign(path.substring("/v1/campaigns/".length())));
        } else if (path.equals("/v1/campaigns/" + CAMPAIGN + "/depth")) {
            send(exchange, 200, depth());
        } else if (path.equals("/v1/campaigns/" + OTHER_CAMPAIGN + "/depth")) {
            send(exchange, 200, "[{\"at\":\"2025-06-01T09:00:00Z\",\"open_pairs\":3,\"checkpoint\":\"" + MODEL + "/v0001\"}]");
        } else if (path.equals("/v1/campaigns/" + CAMPAIGN + "/proposals")) {
            send(exchange, 200, proposals());
        } else if (path.equals("/v1/campaigns/" + OTHER_CAMPAIGN + "/proposals")) {
            send(exchange, 200, "[]");
        } else if (path.equals("/v1/campaigns/" + CAMPAIGN + "/evaluations")) {
            send(exchange, 200, evaluations());
        } else {
            send(exchange, 404, "{\"title\":\"Not found\"}");
        }
    }

    private static String checkpoint(String version, String parent, String method, double accuracy,
            double margin, double alignment, String created, boolean current) {
        return """
                {"model":"%s","version":"%s","parent":%s,"reference":%s,"method":"%s","job_id":null,
                 "architecture":{"kind":"unet"},"hyperparameters":{"beta":1000},
                 "dataset":{"feed_after":0,"feed_to":%d},
                 "metrics":{"rewards/accuracies":%s,"rewards/margins":%s,"oracle_alignment":%s,"heldout_implicit_acc":%s},
                 "weights_sha256":"%s","created_at":"%s","registered_at":"%s","current":%s}"""
                .formatted(MODEL, version, parent == null ? "null" : "\"" + MODEL + "/" + parent + "\"",
                        parent == null ? "null" : "\"" + MODEL + "/v0001\"", method, (int) (accuracy * 1000),
                        accuracy, margin, alignment, HELDOUT[Integer.parseInt(version.substring(1)) - 1], "0".repeat(64), created, created, current);
    }

    private static String campaign(String id) {
        boolean main = id.equals(CAMPAIGN);
        StringBuilder checkpoints = new StringBuilder();
        for (int i = 0; i < (main ? COUNTS.length : 1); i++) {
            int[] c = main ? COUNTS[i] : new int[] {0, 3, 0};
            checkpoints.append(i == 0 ? "" : ",").append("""
                    {"checkpoint":"%s/v000%d","proposals":2,"proposed_pairs":%d,"open":%d,"resolved":%d,"retired":%d}"""
                    .formatted(MODEL, i + 1, c[0] + c[1] + c[2], c[1], c[0], c[2]));
        }
        return """
                {"id":"%s","name":"%s","project":"%s","model":"%s","policy_id":"6f1c2d3e-4a5b-4c6d-8e7f-0000000000f%s",
                 "state":"%s","prompts":["a red circle","a blue square"],"held_out_prompts":["a green star"],
                 "proposal":{"candidates_per_prompt":2},"prompts_per_proposal":2,"prompt_order":"round_robin",
                 "target_depth":%d,"superseded":"retire","pairs_per_checkpoint":12,
                 "selection":{"mode":"%s","random_share":0.2,"reward_model":%s},"scored_by":null,"seed":1,
                 "open_pairs":%d,"proposal_checkpoint":"%s/%s","proposals_made":%d,"checkpoints":[%s],
                 "last_error":%s,"last_error_at":%s,"created_at":"2025-06-01T08:55:00Z"}"""
                .formatted(id, main ? "shapes, June" : "shapes elsewhere", main ? campaignProject : otherCampaignProject,
                        MODEL, main ? "1" : "2", main ? "active" : "paused", main ? TARGET_DEPTH : 4,
                        main ? "uncertainty" : "fifo", main ? "\"shapes-rm\"" : "null", main ? DEPTH[DEPTH.length - 1] : 3,
                        MODEL, main ? "v0003" : "v0001", main ? 6 : 2, checkpoints,
                        main ? "null" : "\"the inference-service serves no checkpoint of shapes-base yet\"",
                        main ? "null" : "\"2025-06-01T10:00:00Z\"");
    }

    private static String depth() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < DEPTH.length; i++) {
            int checkpoint = i < 3 ? 1 : i < 5 ? 2 : 3;
            out.append(i == 0 ? "" : ",").append("""
                    {"at":"2025-06-01T%02d:%02d:00Z","open_pairs":%d,"checkpoint":"%s/v000%d"}"""
                    .formatted(9 + i, i * 7 % 60, DEPTH[i], MODEL, checkpoint));
        }
        return out.append("]").toString();
    }

    private static String proposals() {
        StringBuilder out = new StringBuilder("[");
        String[] reasons = {"checkpoint", "depth", "checkpoint", "depth", "checkpoint", "depth"};
        for (int i = 0; i < reasons.length; i++) {
            out.append(i == 0 ? "" : ",").append("""
                    {"id":"6f1c2d3e-4a5b-4c6d-8e7f-0000000001%02d","seq":%d,"reason":"%s","prompts":2,"seed":%d,
                     "status":"done","checkpoint":"%s/v000%d","pairs":4,"open_before":%d,"error":null,
                     "created_at":"2025-06-01T%02d:00:00Z","finished_at":"2025-06-01T%02d:01:00Z"}"""
                    .formatted(i, i + 1, reasons[i], 100 + i, MODEL, i / 2 + 1, i, 9 + i, 9 + i));
        }
        return out.append("]").toString();
    }

    private static String evaluations() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < WIN_RATE.length; i++) {
            int votes = 20;
            int wins = (int) Math.round(WIN_RATE[i] * votes);
            out.append(i == 0 ? "" : ",").append("""
                    {"checkpoint":"%s/v000%d","against":"%s/v000%d","pairs":12,"open":2,"resolved":10,
                     "wins":%d,"losses":%d,"ties":0,"votes":%d,"win_rate":%s,"ci_low":%s,"ci_high":%s,
                     "metric":"heldout_implicit_acc","metric_value":%s}"""
                    .formatted(MODEL, i + 2, MODEL, i + 1, wins, votes - wins, votes, WIN_RATE[i], CI_LOW[i],
                            CI_HIGH[i], EVALUATED_METRIC[i]));
        }
        return out.append("]").toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
