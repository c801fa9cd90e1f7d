package io.prefloop.model.checkpoint;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes {@link Manifest} as snake_case JSON. */
public final class ManifestJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ManifestJson() {}

    public static byte[] write(Manifest manifest) {
        return MAPPER.writeValueAsBytes(manifest);
    }

    public static Manifest read(byte[] json) {
        return MAPPER.readValue(json, Manifest.class);
    }
}
