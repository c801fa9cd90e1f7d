package io.prefloop.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    private static final PrintStream NOWHERE = new PrintStream(new ByteArrayOutputStream());

    @Test
    void valuesAsGivenElseDefaults() {
        Arguments a = new Arguments(new String[] {"--steps", "12", "--lr", "3e-4", "--store", "/tmp/s", "--seed", "-5"});
        assertThat(a.integer("steps", 800)).isEqualTo(12);
        assertThat(a.number("lr", 1e-4)).isEqualTo(3e-4);
        assertThat(a.string("store", "x")).isEqualTo("/tmp/s");
        assertThat(a.longInteger("seed", 1)).isEqualTo(-5L);
        assertThat(a.integer("batch", 32)).isEqualTo(32);
        assertThat(a.number("beta", 500)).isEqualTo(500.0);
        assertThat(a.string("pairing", "graded")).isEqualTo("graded");
        assertThat(a.optional("evaluate")).isEmpty();
        assertThat(a.finish(NOWHERE)).isTrue();
    }

    @Test
    void flagsAndBooleans() {
        Arguments a = new Arguments(new String[] {"--verbose", "--from-base", "false", "--keep"});
        assertThat(a.bool("verbose", false)).isTrue();
        assertThat(a.bool("from-base", true)).isFalse();
        assertThat(a.bool("keep", false)).isTrue();
        assertThat(a.bool("absent", true)).isTrue();
        assertThat(a.finish(NOWHERE)).isTrue();
        assertThatThrownBy(() -> new Arguments(new String[] {"--x", "yes"}).bool("x", false))
                .hasMessageContaining("--x takes true or false");
    }

    @Test
    void unknownOptionIsRefusedNamingTheKnownOnes() {
        Arguments a = new Arguments(new String[] {"--step", "10"});
        a.integer("steps", 800);
        a.number("lr", 1e-4);
        assertThatThrownBy(() -> a.finish(NOWHERE)).isInstanceOf(Arguments.UsageException.class)
                .hasMessage("unknown option --step; known options: --steps --lr --help")
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        Arguments a = new Arguments(new String[] {"--help"});
        a.integer("steps", 800);
        a.number("lr", 1e-4);
        a.optional("evaluate");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(a.finish(new PrintStream(out, true, StandardCharsets.UTF_8))).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                options (default in brackets):
                  --steps [800]
                  --lr [1.0E-4]
                  --evaluate
                """);
    }

    @Test
    void malformedCommandLinesAreRefused() {
        assertThatThrownBy(() -> new Arguments(new String[] {"steps", "10"})).hasMessageContaining("got 'steps'");
        assertThatThrownBy(() -> new Arguments(new String[] {"--steps", "1", "--steps", "2"})).hasMessageContaining("given twice");
        assertThatThrownBy(() -> new Arguments(new String[] {"--steps", "ten"}).integer("steps", 1))
                .hasMessage("--steps: cannot read 'ten'");
        assertThatThrownBy(() -> new Arguments(new String[] {"--steps"}).integer("steps", 1))
                .hasMessage("--steps needs a value");
    }
}
