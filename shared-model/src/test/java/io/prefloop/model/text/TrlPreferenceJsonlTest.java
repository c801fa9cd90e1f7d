package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrlPreferenceJsonlTest {

    @Test
    void readsTheStandardFormatWithOptionalReferenceLogps() {
        String jsonl = """
                {"prompt": "Q: sky?", "chosen": " It is blue.", "rejected": " blue lol"}

                {"prompt": "Q: grass?", "chosen": " It is green.", "rejected": " green!!", "ref_chosen_logps": -3.5, "ref_rejected_logps": -7}
                """;
        List<TrlPreferenceJsonl.Row> rows = TrlPreferenceJsonl.read(new StringReader(jsonl));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).pair()).isEqualTo(new TextPreference("Q: sky?", " It is blue.", " blue lol"));
        assertThat(rows.get(0).refChosenLogps()).isNull();
        assertThat(rows.get(1).refChosenLogps()).isEqualTo(-3.5);
        assertThat(rows.get(1).refRejectedLogps()).isEqualTo(-7.0);
    }

    @Test
    void writesWhatItReads() {
        List<TextPreference> pairs = List.of(new TextPreference("p \"q\"\n", "a", "b"));
        StringWriter out = new StringWriter();
        TrlPreferenceJsonl.write(out, pairs);
        assertThat(TrlPreferenceJsonl.read(new StringReader(out.toString())).get(0).pair()).isEqualTo(pairs.get(0));
    }

    @Test
    void refusesConversationalRowsAndMissingFieldsByName() {
        String conversational = "{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], \"chosen\": \"a\", \"rejected\": \"b\"}";
        assertThatThrownBy(() -> TrlPreferenceJsonl.read(new StringReader(conversational)))
                .hasMessageContaining("conversational");
        assertThatThrownBy(() -> TrlPreferenceJsonl.read(new StringReader("{\"prompt\": \"x\", \"chosen\": \"a\"}")))
                .hasMessageContaining("rejected");
    }
}
