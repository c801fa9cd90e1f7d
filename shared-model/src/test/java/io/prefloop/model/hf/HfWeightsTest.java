package io.prefloop.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading safetensors files and sharded directories into float32, against hand-computed bit patterns. */
class HfWeightsTest {

    @TempDir
    Path dir;

    /** binary16 bit patterns and their exact values. */
    private static final int[] HALF_BITS = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x3555, 0x8000, 0x7C00, 0xFC00};
    private static final float[] HALF_VALUES = {1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 0.333251953125f,
            -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    /** bfloat16 bit patterns and their exact values. */
    private static final int[] BF16_BITS = {0x3F80, 0x4049, 0xC2F7, 0x0001, 0x7F7F, 0xFF80};
    private static final float[] BF16_VALUES = {1f, 3.140625f, -123.5f, Float.intBitsToFloat(0x00010000),
            Float.intBitsToFloat(0x7F7F0000), Float.NEGATIVE_INFINITY};

    /** A safetensors file written byte by byte, independently of {@link HfWeights#write}. */
    private static byte[] handWritten(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        return b.array();
    }

    private static byte[] shorts(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.array();
    }

    private static float[] read(Path file, String name) {
        try (HfWeights w = HfWeights.open(file); NDManager m = NDManager.newBaseManager()) {
            NDArray a = w.get(m, name);
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
            return a.toFloatArray();
        }
    }

    @Test
    void readsF16ExactlyFromHandWrittenBits() throws Exception {
        Path file = dir.resolve("h.safetensors");
        Files.write(file, handWritten("{\"h\":{\"dtype\":\"F16\",\"shape\":[2,5],\"data_offsets\":[0,20]}}", shorts(HALF_BITS)));
        try (HfWeights w = HfWeights.open(file)) {
            assertThat(w.names()).containsExactly("h");
            assertThat(w.shape("h")).containsExactly(2, 5);
            assertThat(w.dtype("h")).isEqualTo("F16");
        }
        assertThat(read(file, "h")).containsExactly(HALF_VALUES);
        assertThat(Float.floatToRawIntBits(read(file, "h")[7])).isEqualTo(0x80000000); // -0 keeps its sign
    }

    @Test
    void readsBf16ExactlyFromHandWrittenBits() throws Exception {
        Path file = dir.resolve("b.safetensors");
        Files.write(file, handWritten("{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}",
                shorts(BF16_BITS)));
        assertThat(read(file, "b")).containsExactly(BF16_VALUES);
    }

    @Test
    void writerProducesTheSameBitsAndRoundsToNearestEven() throws Exception {
        for (String dtype : new String[] {"F16", "BF16"}) {
            Path file = dir.resolve(dtype + ".safetensors");
            float[] values = dtype.equals("F16") ? HALF_VALUES : BF16_VALUES;
            HfWeights.write(file, Map.of("t", values), Map.of("t", new long[] {values.length}), dtype);
            assertThat(read(file, "t")).containsExactly(values);
        }
        // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even gives 1
        assertThat(HfWeights.floatToHalf(1f + 0x1p-11f)).isEqualTo(0x3C00);
        assertThat(HfWeights.floatToHalf(1f + 0x1p-10f + 0x1p-11f)).isEqualTo(0x3C02);
        assertThat(HfWeights.floatToHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01);
        assertThat(HfWeights.floatToHalf(70000f)).isEqualTo(0x7C00);
        assertThat(HfWeights.floatToHalf(0x1p-25f)).isEqualTo(0x0000); // tie between 0 and 2^-24: even
        assertThat(HfWeights.floatToHalf(0x1.8p-25f)).isEqualTo(0x0001);
        assertThat(HfWeights.floatToBfloat16(1f + 0x1p-8f)).isEqualTo(0x3F80);
        assertThat(HfWeights.floatToBfloat16(1f + 0x1p-7f + 0x1p-8f)).isEqualTo(0x3F82);
        assertThat(HfWeights.floatToBfloat16(Float.NaN) & 0x7fc0).isEqualTo(0x7fc0);
        // every half value survives half -> float -> half
        for (int bits = 0; bits < 0x10000; bits++) {
            if ((bits & 0x7c00) != 0x7c00 || (bits & 0x3ff) == 0) {
                assertThat(HfWeights.floatToHalf(HfWeights.halfToFloat(bits))).isEqualTo(bits);
            }
        }
    }

    @Test
    void f32RoundTripIsBitExact() {
        float[] values = {0f, -0f, 1.1f, Float.MIN_VALUE, Float.MAX_VALUE, -3.5e-20f};
        Map<String, float[]> tensors = new LinkedHashMap<>();
        tensors.put("a", values);
        tensors.put("b", new float[] {1, 2, 3, 4, 5, 6});
        Path file = dir.resolve("f.safetensors");
        HfWeights.write(file, tensors, Map.of("a", new long[] {3, 2}, "b", new long[] {2, 3}), "F32");
        assertThat(read(file, "a")).containsExactly(values);
        try (HfWeights w = HfWeights.open(file); NDManager m = NDManager.newBaseManager()) {
            NDArray b = w.get(m, "b");
            assertThat(b.getShape().getShape()).containsExactly(2, 3);
            assertThat(b.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void readsAShardedDirectoryThroughItsIndex() throws Exception {
        HfWeights.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("x.weight", new float[] {1, 2}), Map.of("x.weight", new long[] {2}), "F32");
        HfWeights.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("y.weight", new float[] {0.5f, -1.5f, 3f}), Map.of("y.weight", new long[] {1, 3}), "BF16");
        Files.writeString(dir.resolve(HfWeights.INDEX_FILE), """
                {"metadata": {"total_size": 14},
                 "weight_map": {"x.weight": "model-00001-of-00002.safetensors",
                                "y.weight": "model-00002-of-00002.safetensors"}}
                """);
        try (HfWeights w = HfWeights.open(dir); NDManager m = NDManager.newBaseManager()) {
            assertThat(w.names()).containsExactly("x.weight", "y.weight");
            assertThat(w.get(m, "x.weight").toFloatArray()).containsExactly(1, 2);
            assertThat(w.get(m, "y.weight").toFloatArray()).containsExactly(0.5f, -1.5f, 3f);
            assertThat(w.dtype("y.weight")).isEqualTo("BF16");
            assertThatThrownBy(() -> w.get(m, "z")).hasMessageContaining("no tensor named z");
        }
    }

    @Test
    void indexNamingATensorItsShardLacksIsAnError() throws Exception {
        HfWeights.write(dir.resolve("a.safetensors"), Map.of("x", new float[] {1}), Map.of("x", new long[] {1}), "F32");
        Files.writeString(dir.resolve(HfWeights.INDEX_FILE), "{\"weight_map\": {\"x\": \"a.safetensors\", \"y\": \"a.safetensors\"}}");
        assertThatThrownBy(() -> HfWeights.open(dir)).hasMessageContaining("y").hasMessageContaining("does not hold it");
    }

    @Test
    void prefersTheSingleFileWhenThereIsNoIndex() {
        HfWeights.write(dir.resolve(HfWeights.SINGLE_FILE), Map.of("x", new float[] {7}), Map.of("x", new long[] {1}), "F32");
        try (HfWeights w = HfWeights.open(dir)) {
            assertThat(w.names()).containsExactly("x");
        }
    }

    @Test
    void corruptHeadersAreRefused() throws Exception {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("length beyond the file", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        bad.put("not JSON", handWritten("{\"a\": [", new byte[0]));
        bad.put("offsets outside the data", handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]));
        bad.put("size not matching the shape", handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        bad.put("overlap", handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]));
        bad.put("no dtype", handWritten("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        bad.put("negative dimension", handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]));
        bad.put("too short", new byte[3]);
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path file = dir.resolve("bad.safetensors");
            Files.write(file, e.getValue());
            assertThatThrownBy(() -> HfWeights.open(file).close()).as(e.getKey())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("corrupt safetensors header");
        }
    }

    @Test
    void unknownDtypeFailsNamingTheTensor() throws Exception {
        Path file = dir.resolve("i.safetensors");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(new byte[8 + 8]);
        Files.write(file, handWritten("{\"steps\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"odd\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[8,16]}}", data.toByteArray()));
        try (HfWeights w = HfWeights.open(file); NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> w.get(m, "steps")).hasMessageContaining("steps").hasMessageContaining("I64");
            assertThatThrownBy(() -> w.get(m, "odd")).hasMessageContaining("odd").hasMessageContaining("F4");
        }
    }
}
