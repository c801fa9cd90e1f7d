package io.prefloop.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SafetensorsTest {

    /** Awkward floats: signed zero, subnormal, extremes, NaN with a payload, infinities. */
    private static final float[] AWKWARD = {
        -0.0f, 0.0f, Float.MIN_VALUE, 1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.intBitsToFloat(0x7fc00123), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f / 3f,
        (float) Math.PI, -2.5e-8f
    };

    @Test
    void roundTripIsBitExactAndKeepsNamesAndShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(AWKWARD, new Shape(3, 4));
            a.setName("blocks.0.conv.weight");
            NDArray b = m.randomNormal(new Shape(2, 3, 5, 5));
            b.setName("time_embed.bias");
            byte[] bytes = Safetensors.encode(new NDList(a, b));

            NDList back = Safetensors.decode(m, bytes);
            Map<String, NDArray> byName = Map.of(back.get(0).getName(), back.get(0),
                    back.get(1).getName(), back.get(1));
            assertThat(byName).containsOnlyKeys("blocks.0.conv.weight", "time_embed.bias");
            for (NDArray original : new NDArray[] {a, b}) {
                NDArray read = byName.get(original.getName());
                assertThat(read.getShape()).isEqualTo(original.getShape());
                assertThat(read.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(bits(read.toFloatArray())).isEqualTo(bits(original.toFloatArray()));
            }
            // and the bytes themselves are reproducible
            assertThat(Safetensors.encode(back)).hasSize(bytes.length);
        }
    }

    @Test
    void layoutIsTheSafetensorsFormatPyTorchReads() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(AWKWARD, new Shape(3, 4));
            a.setName("w");
            byte[] bytes = Safetensors.encode(new NDList(a));
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = buf.getLong();
            String json = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
            JsonNode header = JsonMapper.builder().build().readTree(json);
            JsonNode w = header.get("w");
            assertThat(w.get("dtype").asString()).isEqualTo("F32");
            assertThat(w.get("shape").toString()).isEqualTo("[3,4]");
            assertThat(w.get("data_offsets").toString()).isEqualTo("[0,48]");
            assertThat(bytes.length).isEqualTo(8 + headerLen + 48);
            // row-major, little-endian float32 after the header
            buf.position((int) (8 + headerLen));
            float[] raw = new float[12];
            buf.asFloatBuffer().get(raw);
            assertThat(bits(raw)).isEqualTo(bits(AWKWARD));
        }
    }

    @Test
    void readsAFileWrittenByTheReferenceLayout() throws Exception {
        // written by src/test/resources/checkpoint/make_fixture.py (numpy, the safetensors spec)
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("/checkpoint/numpy_written.safetensors")) {
            bytes = in.readAllBytes();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = Safetensors.decode(m, bytes);
            NDArray conv = list.stream().filter(x -> x.getName().equals("down.0.conv.weight"))
                    .findFirst().orElseThrow();
            NDArray bias = list.stream().filter(x -> x.getName().equals("norm.bias"))
                    .findFirst().orElseThrow();
            assertThat(conv.getShape()).isEqualTo(new Shape(2, 3, 2, 2));
            float[] expected = new float[24];
            for (int i = 0; i < 24; i++) {
                expected[i] = i * 0.25f - 3;
            }
            assertThat(conv.toFloatArray()).containsExactly(expected);
            assertThat(bits(bias.toFloatArray()))
                    .isEqualTo(bits(new float[] {-0.0f, 1e-40f, 3.4028235e38f, -1.5f}));
        }
    }

    @Test
    void refusesUnnamedAndDuplicateTensors() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(2));
            assertThatThrownBy(() -> Safetensors.encode(new NDList(a)))
                    .isInstanceOf(IllegalArgumentException.class);
            a.setName("x");
            NDArray b = m.zeros(new Shape(2));
            b.setName("x");
            assertThatThrownBy(() -> Safetensors.encode(new NDList(a, b)))
                    .hasMessageContaining("duplicate");
        }
    }

    static int[] bits(float[] values) {
        return Arrays.stream(toBoxed(values)).mapToInt(Float::floatToRawIntBits).toArray();
    }

    private static Float[] toBoxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
