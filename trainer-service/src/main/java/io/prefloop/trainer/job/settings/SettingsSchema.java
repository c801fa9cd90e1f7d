package io.prefloop.trainer.job.settings;

import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.FieldProblem;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;

/**
 * The hyperparameters of one method, bound to its settings record: a request names only what it
 * changes; anything unknown, of the wrong type, non-finite or out of range is refused with the key
 * named (400), so a typo never trains silently with a default. The record's components are the
 * settings' names in camel case ({@code learning_rate} → {@code learningRate}); a component whose
 * type is a record ({@link TrainingSettings}) is filled from the same names; an enum component takes
 * the choice in upper case. The record's constructor may refuse a combination
 * ({@link IllegalArgumentException}); that is a 400 too.
 */
public final class SettingsSchema<S extends Record> {

    private final Class<S> type;
    private final Map<String, Setting> settings;

    private SettingsSchema(Class<S> type, Map<String, Setting> settings) {
        this.type = type;
        this.settings = settings;
    }

    /** The common settings with the method's own added, or replacing a common one of the same name. */
    public static <S extends Record> SettingsSchema<S> of(Class<S> type, List<Setting> common, Setting... own) {
        Map<String, Setting> all = new LinkedHashMap<>();
        common.forEach(s -> all.put(s.name(), s));
        for (Setting s : own) {
            all.put(s.name(), s);
        }
        List<String> components = componentNames(type);
        if (!components.equals(all.keySet().stream().sorted().toList())) {
            throw new IllegalStateException(type.getSimpleName() + " has components " + components
                    + " but settings " + all.keySet().stream().sorted().toList());
        }
        return new SettingsSchema<>(type, all);
    }

    public Map<String, Setting> settings() {
        return settings;
    }

    /**
     * @param method the method's JSON name, for messages
     * @return every setting's value: the request's over the defaults, checked (as stored with the job)
     * @throws ApiException 400 naming each bad key
     */
    public Map<String, Object> resolve(String method, Map<String, Object> requested) {
        List<FieldProblem> problems = new ArrayList<>();
        Map<String, Object> resolved = new LinkedHashMap<>();
        settings.forEach((name, setting) -> resolved.put(name, setting.defaultValue()));
        (requested == null ? Map.<String, Object>of() : requested).forEach((name, value) -> {
            Setting setting = settings.get(name);
            String field = "hyperparameters." + name;
            if (setting == null) {
                problems.add(new FieldProblem(field, "is not a hyperparameter of " + method + "; known: "
                        + String.join(", ", settings.keySet())));
            } else {
                check(field, setting, value, problems).ifPresent(v -> resolved.put(name, v));
            }
        });
        if (problems.isEmpty()) {
            try {
                bind(resolved);
            } catch (InvalidSettingException e) {
                problems.add(new FieldProblem("hyperparameters." + e.setting(), e.getMessage()));
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem("hyperparameters", e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid hyperparameters",
                    problems.stream().map(p -> p.field() + ": " + p.message()).reduce((a, b) -> a + "; " + b)
                            .orElse(""), problems);
        }
        return resolved;
    }

    /**
     * The settings record of resolved values; a key missing from {@code values} (a job queued
     * before the key existed) takes its default.
     */
    public S bind(Map<String, Object> values) {
        Map<String, Object> all = new LinkedHashMap<>();
        settings.forEach((name, setting) -> all.put(name, setting.defaultValue()));
        all.putAll(values);
        return construct(type, all);
    }

    private static <R extends Record> R construct(Class<R> type, Map<String, Object> values) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] arguments = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Class<?> t = components[i].getType();
            types[i] = t;
            arguments[i] = t.isRecord() ? construct(t.asSubclass(Record.class), values)
                    : convert(values.get(snakeCase(components[i].getName())), t, components[i].getName());
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(Object value, Class<?> type, String name) {
        if (value == null) {
            throw new IllegalStateException("no value for " + name);
        }
        if (type == int.class) {
            return ((Number) value).intValue();
        }
        if (type == double.class) {
            return ((Number) value).doubleValue();
        }
        if (type == boolean.class) {
            return (Boolean) value;
        }
        if (type == float.class) {
            return ((Number) value).floatValue();
        }
        if (type.isEnum()) {
            return Enum.valueOf((Class) type, ((String) value).toUpperCase(Locale.ROOT));
        }
        return type.cast(value);
    }

    private static List<String> componentNames(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord()) {
                names.addAll(componentNames(c.getType()));
            } else {
                names.add(snakeCase(c.getName()));
            }
        }
        return names.stream().sorted().toList();
    }

    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static Optional<Object> check(String field, Setting setting, Object value, List<FieldProblem> problems) {
        if (setting.isChoice()) {
            if (!(value instanceof String s) || !setting.choices().contains(s)) {
                problems.add(new FieldProblem(field, "must be one of " + setting.choices()));
                return Optional.empty();
            }
            return Optional.of(s);
        }
        if (setting.isFlag()) {
            if (!(value instanceof Boolean b)) {
                problems.add(new FieldProblem(field, "must be true or false"));
                return Optional.empty();
            }
            return Optional.of(b);
        }
        if (setting.isText()) {
            if (!(value instanceof String s) || s.length() > 200) {
                problems.add(new FieldProblem(field, "must be a string of at most 200 characters"));
                return Optional.empty();
            }
            return Optional.of(s.trim());
        }
        if (!(value instanceof Number n)) {
            problems.add(new FieldProblem(field, "must be a number"));
            return Optional.empty();
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v)) {
            problems.add(new FieldProblem(field, "must be finite"));
            return Optional.empty();
        }
        if (setting.isInteger() && v != Math.rint(v)) {
            problems.add(new FieldProblem(field, "must be an integer"));
            return Optional.empty();
        }
        boolean tooLow = setting.minExclusive() ? v <= setting.min() : v < setting.min();
        boolean tooHigh = setting.maxExclusive() ? v >= setting.max() : v > setting.max();
        if (tooLow || tooHigh) {
            problems.add(new FieldProblem(field, "must be " + setting.range()));
            return Optional.empty();
        }
        return Optional.of(setting.isInteger() ? (Object) (int) v : (Object) v);
    }
}
