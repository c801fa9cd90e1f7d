package io.prefloop.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prefloop.experiments.active.ActiveSelectionExperiment;
import io.prefloop.experiments.hf.HfModelBenchmark;
import io.prefloop.experiments.replies.RepliesDpoExperiment;
import io.prefloop.experiments.replies.RepliesRewardExperiment;
import io.prefloop.experiments.shapes.DcoExperiment;
import io.prefloop.experiments.shapes.DpoExperiment;
import io.prefloop.experiments.shapes.PolicyGradientExperiment;
import io.prefloop.experiments.shapes.ShapesBenchmark;
import io.prefloop.experiments.shapes.ShapesPretraining;
import io.prefloop.experiments.shapes.ShapesRewardExperiment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every driver reads its whole command line before doing any work: {@code --help} lists its
 * options and returns, an unknown option is refused. Neither touches the engine or a store.
 */
class DriversTest {

    interface Main {
        void run(String[] args) throws Exception;
    }

    /** each driver with one of its options and that option's default as --help prints it */
    private static final Map<String, Main> DRIVERS = Map.of(
            "--steps [400]", DpoExperiment::main,
            "--steps [800]", DcoExperiment::main,
            "--steps [1500]", ShapesPretraining::main,
            "--mem-steps [2000]", ShapesBenchmark::main,
            "--pairs [40000]", ShapesRewardExperiment::main,
            "--steps [200]", RepliesDpoExperiment::main,
            "--ties [DROP]", RepliesRewardExperiment::main,
            "--rounds [20]", PolicyGradientExperiment::main,
            "--random-share [0.2]", ActiveSelectionExperiment::main,
            "--part [gpt2-generation]", HfModelBenchmark::main);

    @Test
    void helpListsTheOptionsAndDoesNothingElse() throws Exception {
        PrintStream stdout = System.out;
        try {
            for (Map.Entry<String, Main> driver : DRIVERS.entrySet()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                driver.getValue().run(new String[] {"--help"});
                assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("options (default in brackets):")
                        .contains(driver.getKey());
            }
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void anUnknownOptionIsRefused() {
        for (Main main : DRIVERS.values()) {
            assertThatThrownBy(() -> main.run(new String[] {"--no-such-option", "1"}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("unknown option --no-such-option; known options:");
        }
    }
}
