package io.prefloop.model.replies;

import io.prefloop.model.replies.Question.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The replies world (docs/language.md, "The replies world"): short factual questions, each answerable in
 * several {@link Style styles}. The base model is pretrained mostly on casual and terse replies,
 * so the formal style that the simulated labelers prefer is a minority that human feedback must
 * bring forward.
 */
public final class RepliesWorld {

    private final List<Question> questions;
    private final Map<String, Question> byPrompt = new LinkedHashMap<>();
    private final Map<Kind, Set<String>> answers = new LinkedHashMap<>();

    public RepliesWorld(List<Question> questions) {
        this.questions = List.copyOf(questions);
        for (Question q : questions) {
            byPrompt.put(q.prompt(), q);
            answers.computeIfAbsent(q.kind(), k -> new TreeSet<>()).add(q.answer());
        }
    }

    public static RepliesWorld standard() {
        List<Question> q = new ArrayList<>();
        String[][] colours = {
            {"grass", "green"}, {"the sky", "blue"}, {"snow", "white"}, {"coal", "black"},
            {"a lemon", "yellow"}, {"a tomato", "red"}, {"a carrot", "orange"}, {"a plum", "purple"},
            {"milk", "white"}, {"a frog", "green"}, {"a banana", "yellow"}, {"blood", "red"},
            {"the sea", "blue"}, {"a crow", "black"}, {"an orange", "orange"}, {"a grape", "purple"}};
        for (String[] c : colours) {
            q.add(new Question(Kind.COLOUR, c[0], c[1]));
        }
        String[][] legs = {
            {"a dog", "four"}, {"a bird", "two"}, {"a spider", "eight"}, {"an ant", "six"},
            {"a horse", "four"}, {"a duck", "two"}, {"a beetle", "six"}, {"a cat", "four"},
            {"an octopus", "eight"}, {"a hen", "two"}};
        for (String[] l : legs) {
            q.add(new Question(Kind.LEGS, l[0], l[1]));
        }
        String[][] sounds = {
            {"a cow", "moo"}, {"a cat", "meow"}, {"a dog", "woof"}, {"a duck", "quack"},
            {"a sheep", "baa"}, {"an owl", "hoot"}, {"a mouse", "squeak"}, {"a lion", "roar"}};
        for (String[] s : sounds) {
            q.add(new Question(Kind.SOUND, s[0], s[1]));
        }
        return new RepliesWorld(q);
    }

    public List<Question> questions() {
        return questions;
    }

    /** Every third question (by index) is held out of preference training, to test generalisation. */
    public List<Question> trainQuestions() {
        List<Question> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            if (i % 3 != 2) {
                out.add(questions.get(i));
            }
        }
        return out;
    }

    public List<Question> heldOutQuestions() {
        List<Question> out = new ArrayList<>();
        for (int i = 2; i < questions.size(); i += 3) {
            out.add(questions.get(i));
        }
        return out;
    }

    public Question question(String prompt) {
        Question q = byPrompt.get(prompt);
        if (q == null) {
            throw new IllegalArgumentException("not a prompt of this world: " + prompt);
        }
        return q;
    }

    /** The answers any question of that kind may have: what a well-formed reply may contain. */
    public Set<String> answers(Kind kind) {
        return answers.get(kind);
    }

    /** A well-formed reply in the given style, carrying {@code answerWord}. */
    public String reply(Question q, Style style, String answerWord, Random random) {
        return switch (style) {
            case FORMAL -> q.formal(answerWord);
            case CASUAL -> random.nextBoolean() ? " " + answerWord + ", obviously!" : " hmm, " + answerWord + " i guess";
            case TERSE -> " " + answerWord + ".";
        };
    }

    /** A wrong answer of the same kind. */
    public String wrongAnswer(Question q, Random random) {
        List<String> others = new ArrayList<>(answers(q.kind()));
        others.remove(q.answer());
        return others.get(random.nextInt(others.size()));
    }

    /** A malformed reply: a well-formed one with a span cut out or garbled. */
    public String malformed(Question q, Random random) {
        String good = reply(q, Style.values()[random.nextInt(Style.values().length)], q.answer(), random);
        int cut = 1 + random.nextInt(Math.max(1, good.length() - 2));
        return switch (random.nextInt(3)) {
            case 0 -> good.substring(0, cut);
            case 1 -> good.substring(0, cut) + good.substring(Math.min(good.length(), cut + 3));
            default -> good.substring(0, cut) + "xq" + good.substring(cut);
        };
    }
}
