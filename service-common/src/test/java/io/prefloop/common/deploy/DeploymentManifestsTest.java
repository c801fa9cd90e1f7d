package io.prefloop.common.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files of the repository: each Kustomize overlay renders ({@code kubectl kustomize})
 * and keeps the invariants an operator relies on; docker-compose.yml is valid for docker-compose
 * and starts services in health order. No Docker engine or cluster is needed (none runs here).
 * Without kubectl or docker-compose the rendering checks are skipped, unless
 * PREFLOOP_DEPLOY_TESTS=required (as in CI, whose .ci/run installs them).
 */
class DeploymentManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> APP_DEPLOYMENTS = List.of("feedback", "trainer", "trainer-worker", "inference");

    @ParameterizedTest
    @ValueSource(strings = {"local", "gpu"})
    @SuppressWarnings("unchecked")
    void everyOverlayRendersAndEveryContainerHasProbesLimitsAndAPinnedImage(String overlay) throws Exception {
        List<Map<String, Object>> documents = render(overlay);
        List<String> kinds = documents.stream().map(d -> (String) d.get("kind")).toList();
        assertThat(kinds).contains("Deployment", "Service", "ConfigMap", "PersistentVolumeClaim",
                "PodDisruptionBudget", "HorizontalPodAutoscaler");
        assertThat(kinds).as("secrets are created outside the repository").doesNotContain("Secret");
        List<String> deployments = new ArrayList<>();
        for (Map<String, Object> d : documents) {
            Map<String, Object> metadata = (Map<String, Object>) d.get("metadata");
            assertThat(metadata.get("namespace")).as(metadata.get("name") + " namespace").isEqualTo("prefloop");
            if (!List.of("Deployment", "StatefulSet").contains(d.get("kind"))) {
                continue;
            }
            deployments.add((String) metadata.get("name"));
            Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) d.get("spec"))
                    .get("template")).get("spec");
            List<Map<String, Object>> containers = new ArrayList<>((List<Map<String, Object>>) pod.get("containers"));
            for (Map<String, Object> c : containers) {
                String where = metadata.get("name") + "/" + c.get("name");
                assertThat(c).as(where + " probes").containsKeys("livenessProbe", "readinessProbe");
                Map<String, Object> resources = (Map<String, Object>) c.get("resources");
                assertThat(resources).as(where + " resources").containsKeys("requests", "limits");
                assertThat((Map<String, Object>) resources.get("limits")).as(where + " limits").containsKeys("cpu", "memory");
                String image = (String) c.get("image");
                assertThat(image).as(where + " image pinned").matches(".+:[0-9][^:]*").doesNotEndWith(":latest");
                for (Map<String, Object> env : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
                    String name = (String) env.get("name");
                    if (name.matches(".*(PASSWORD|KEY|SECRET).*")) {
                        assertThat(env).as(where + " " + name + " comes from a Secret").doesNotContainKey("value");
                    }
                }
            }
            if (APP_DEPLOYMENTS.contains(metadata.get("name"))) {
                assertThat((Map<String, Object>) pod.get("securityContext")).as(metadata.get("name") + " non-root")
                        .containsEntry("runAsNonRoot", true);
            }
        }
        assertThat(deployments).containsAll(APP_DEPLOYMENTS);
        if (overlay.equals("gpu")) {
            Map<String, Object> worker = find(documents, "Deployment", "trainer-worker");
            String yaml = new Yaml().dump(worker);
            assertThat(yaml).contains("nvidia.com/gpu: 1", "nvidia.com/gpu.present", "0.1.0-cu124", "tolerations");
            assertThat(envOf(worker)).containsEntry("PREFLOOP_TRAINER_WORKERS_DEVICE", "gpu")
                    .containsEntry("PYTORCH_FLAVOR", "cu124");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTrainerApiRunsNoWorkersAndTheWorkersRunOneEach() throws Exception {
        List<Map<String, Object>> documents = render("local");
        assertThat(envOf(find(documents, "Deployment", "trainer"))).containsEntry("PREFLOOP_TRAINER_WORKERS_COUNT", "0");
        assertThat(envOf(find(documents, "Deployment", "trainer-worker"))).containsEntry("PREFLOOP_TRAINER_WORKERS_COUNT", "1");
        Map<String, Object> pvc = find(render("gpu"), "PersistentVolumeClaim", "prefloop-checkpoints");
        assertThat((List<String>) ((Map<String, Object>) pvc.get("spec")).get("accessModes")).containsExactly("ReadWriteMany");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeStartsThePlatformInHealthOrderWithPinnedImagesAndOneCheckpointVolume() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKeys("postgres", "feedback", "trainer", "inference");
        for (String name : List.of("postgres", "feedback", "trainer", "inference")) {
            Map<String, Object> s = services.get(name);
            assertThat(s).as(name + " health check").containsKey("healthcheck");
            assertThat((String) s.get("image")).as(name + " image pinned").matches(".+:[0-9][^:]*");
        }
        Map<String, Map<String, String>> trainerDependsOn = (Map<String, Map<String, String>>) services.get("trainer")
                .get("depends_on");
        assertThat(trainerDependsOn.get("feedback")).containsEntry("condition", "service_healthy");
        assertThat(trainerDependsOn.get("postgres")).containsEntry("condition", "service_healthy");
        assertThat(((Map<String, Map<String, String>>) services.get("inference").get("depends_on")).get("trainer"))
                .containsEntry("condition", "service_healthy");
        assertThat((List<String>) services.get("trainer").get("volumes")).contains("checkpoints:/checkpoints");
        assertThat((List<String>) services.get("inference").get("volumes")).contains("checkpoints:/checkpoints");
        for (String dockerfile : List.of("feedback-service", "trainer-service", "inference-service")) {
            String text = Files.readString(ROOT.resolve(dockerfile).resolve("Dockerfile"));
            assertThat(text).as(dockerfile).contains("USER 10001", "HEALTHCHECK", "--layers", "JarLauncher")
                    .doesNotContain(":latest");
        }

        assumeTool("docker-compose");
        Process config = new ProcessBuilder("docker-compose", "-f", ROOT.resolve("docker-compose.yml").toString(),
                "config", "-q").redirectErrorStream(true).start();
        String out = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(config.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(config.exitValue()).as(out).isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> envOf(Map<String, Object> deployment) {
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment
                .get("spec")).get("template")).get("spec");
        Map<String, String> env = new java.util.HashMap<>();
        for (Map<String, Object> c : (List<Map<String, Object>>) pod.get("containers")) {
            for (Map<String, Object> e : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
                if (e.get("value") != null) {
                    env.put((String) e.get("name"), String.valueOf(e.get("value")));
                }
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> find(List<Map<String, Object>> documents, String kind, String name) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))
                && name.equals(((Map<String, Object>) d.get("metadata")).get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> render(String overlay) throws IOException, InterruptedException {
        assumeTool("kubectl");
        Process process = new ProcessBuilder("kubectl", "kustomize", ROOT.resolve("k8s/overlays/" + overlay).toString())
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object d : new Yaml().loadAll(out)) {
            if (d != null) {
                documents.add((Map<String, Object>) d);
            }
        }
        return documents;
    }

    private static void assumeTool(String tool) throws IOException, InterruptedException {
        boolean present = new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        if (!present && "required".equals(System.getenv("PREFLOOP_DEPLOY_TESTS"))) {
            throw new AssertionError(tool + " is required (PREFLOOP_DEPLOY_TESTS=required) but not installed");
        }
        assumeTrue(present, tool + " is not installed: rendering check skipped (.ci/run installs it)");
    }
}
