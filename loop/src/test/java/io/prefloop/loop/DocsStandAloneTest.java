package io.prefloop.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository stands alone: no source, doc, script or manifest points at design notes, tickets or
 * folders that live outside it (what a reader needs from them belongs in docs/).
 */
class DocsStandAloneTest {

    private static final Pattern OUTSIDE = Pattern.compile(
            "DESIGN\\.md|DJL-NOTES|PROTOTYPE\\.md|REFERENCES\\.md|\\.\\./shared/|\\b[Ii]ssue [0-9]+\\b");

    @Test
    void nothingPointsOutsideTheRepository() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).filter(DocsStandAloneTest::isText).toList()) {
                if (file.equals(Path.of("").toAbsolutePath().resolve("src/test/java/io/prefloop/loop/DocsStandAloneTest.java"))) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (OUTSIDE.matcher(lines.get(i)).find()) {
                        found.add(root.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found).as("references to files outside the repository").isEmpty();
    }

    private static boolean isText(Path file) {
        String path = file.toString();
        if (path.contains("/target/") || path.contains("/.git/") || path.contains("/data/") || path.contains("/.djl-cache/")
                || path.contains("/node_modules/")) {
            return false;
        }
        String name = file.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".md") || name.endsWith(".yaml") || name.endsWith(".yml")
                || name.endsWith(".properties") || name.endsWith(".sh") || name.startsWith("Dockerfile")
                || name.equals("prefloop") || name.equals("seed-study") || name.equals("run") || name.endsWith(".xml");
    }
}
