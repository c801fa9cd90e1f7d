package io.prefloop.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The weights of a HuggingFace model directory: {@code model.safetensors}, or the sharded form
 * {@code model.safetensors.index.json} (its {@code weight_map} names each tensor's shard) plus the
 * shards. Only the headers are read when opening (and checked: dtype, shape, offsets inside the
 * data section, sizes matching dtype × shape, no two tensors overlapping); a tensor's bytes are read
 * from its file range when {@link #get} asks for it, so a shard is never loaded whole.
 *
 * <p>{@link #get} returns float32: F32 as stored, F16 and BF16 widened exactly (every half and
 * bfloat16 value is a float32 value). Any other dtype fails when the tensor is asked for, naming it.
 */
public final class HfWeights implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /** Header larger than this is refused as corrupt (real headers are a few MB at most). */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private record Entry(String name, String dtype, long[] shape, Shard shard, long begin, long end) {}

    private static final class Shard {
        final Path path;
        final FileChannel channel;
        final long dataStart;

        Shard(Path path, FileChannel channel, long dataStart) {
            this.path = path;
            this.channel = channel;
            this.dataStart = dataStart;
        }
    }

    private final Map<String, Entry> entries;
    private final List<Shard> shards;

    private HfWeights(Map<String, Entry> entries, List<Shard> shards) {
        this.entries = entries;
        this.shards = shards;
    }

    /**
     * Opens the weights of a model directory ({@value #INDEX_FILE} if present, else
     * {@value #SINGLE_FILE}) or a single {@code .safetensors} file.
     */
    public static HfWeights open(Path path) {
        if (!Files.isDirectory(path)) {
            return openFiles(List.of(path), null);
        }
        Path index = path.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return openIndex(index);
        }
        Path single = path.resolve(SINGLE_FILE);
        if (Files.exists(single)) {
            return openFiles(List.of(single), null);
        }
        throw new IllegalArgumentException(path + ": neither " + INDEX_FILE + " nor " + SINGLE_FILE);
    }

    private static HfWeights openIndex(Path index) {
        JsonNode map;
        try {
            map = MAPPER.readTree(Files.readAllBytes(index)).get("weight_map");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(index + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new IllegalArgumentException(index + ": no weight_map");
        }
        Map<String, String> weightMap = new TreeMap<>();
        Set<String> files = new java.util.LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isString()) {
                throw new IllegalArgumentException(index + ": weight_map[" + e.getKey() + "] is not a file name");
            }
            String file = e.getValue().stringValue();
            if (file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                throw new IllegalArgumentException(index + ": shard name " + file + " is not a plain file name");
            }
            weightMap.put(e.getKey(), file);
            files.add(file);
        }
        List<Path> paths = files.stream().map(f -> index.resolveSibling(f)).toList();
        return openFiles(paths, weightMap);
    }

    private static HfWeights openFiles(List<Path> paths, Map<String, String> weightMap) {
        List<Shard> shards = new ArrayList<>();
        Map<String, Entry> entries = new TreeMap<>();
        try {
            for (Path path : paths) {
                FileChannel channel;
                try {
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open " + path, e);
                }
                List<Entry> inFile = readHeader(path, channel, shards);
                for (Entry entry : inFile) {
                    if (weightMap != null && !path.getFileName().toString().equals(weightMap.get(entry.name()))) {
                        continue; // the index names another shard (or none) for it: the index decides
                    }
                    if (entries.put(entry.name(), entry) != null) {
                        throw new IllegalArgumentException("tensor " + entry.name() + " appears in two files");
                    }
                }
            }
            if (weightMap != null) {
                for (Map.Entry<String, String> e : weightMap.entrySet()) {
                    if (!entries.containsKey(e.getKey())) {
                        throw new IllegalArgumentException("index names tensor " + e.getKey() + " in " + e.getValue()
                                + " but that file does not hold it");
                    }
                }
            }
        } catch (RuntimeException e) {
            closeAll(shards);
            throw e;
        }
        return new HfWeights(Collections.unmodifiableMap(entries), shards);
    }

    /** Reads and checks one file's header; adds the shard to {@code shards} (so it is closed on failure). */
    private static List<Entry> readHeader(Path path, FileChannel channel, List<Shard> shards) {
        try {
            long size = channel.size();
            Shard provisional = new Shard(path, channel, 0);
            shards.add(provisional);
            if (size < 8) {
                throw corrupt(path, "shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw corrupt(path, "header length " + headerLength + " does not fit the file of " + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            JsonNode header;
            try {
                header = MAPPER.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
            } catch (JacksonException e) {
                throw corrupt(path, "header is not JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw corrupt(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Shard shard = new Shard(path, channel, dataStart);
            shards.set(shards.size() - 1, shard);
            List<Entry> list = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                list.add(entry(path, shard, e.getKey(), e.getValue(), dataSize));
            }
            List<Entry> sorted = new ArrayList<>(list);
            sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            for (int i = 1; i < sorted.size(); i++) {
                Entry previous = sorted.get(i - 1);
                Entry current = sorted.get(i);
                if (current.begin() < previous.end()) {
                    throw corrupt(path, "tensors " + previous.name() + " and " + current.name() + " overlap");
                }
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static Entry entry(Path path, Shard shard, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw corrupt(path, "tensor " + name + ": header entry is not an object");
        }
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || !dtype.isString()) {
            throw corrupt(path, "tensor " + name + ": no dtype");
        }
        if (shape == null || !shape.isArray()) {
            throw corrupt(path, "tensor " + name + ": no shape");
        }
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw corrupt(path, "tensor " + name + ": data_offsets must be [begin, end]");
        }
        long[] dims = new long[shape.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 0) {
                throw corrupt(path, "tensor " + name + ": invalid shape " + shape);
            }
            dims[i] = d.longValue();
            count = Math.multiplyExact(count, dims[i]);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(path, "tensor " + name + ": data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes");
        }
        int width = byteWidth(dtype.stringValue());
        if (width > 0 && end - begin != count * width) {
            throw corrupt(path, "tensor " + name + ": " + (end - begin) + " bytes for shape " + shape + " of "
                    + dtype.stringValue() + " (" + count * width + " expected)");
        }
        return new Entry(name, dtype.stringValue(), dims, shard, begin, end);
    }

    /** Bytes per element of the safetensors dtypes, 0 for names the format does not define. */
    private static int byteWidth(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2" -> 1;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "F32", "I32", "U32" -> 4;
            case "F64", "I64", "U64" -> 8;
            default -> 0;
        };
    }

    /** Names of all tensors, sorted. */
    public Set<String> names() {
        return entries.keySet();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The stored shape of a tensor. */
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** The stored dtype of a tensor, as safetensors names it ({@code F32}, {@code F16}, {@code BF16}, ...). */
    public String dtype(String name) {
        return entry(name).dtype();
    }

    /**
     * The tensor as float32 on {@code manager}, read from its file range now.
     *
     * @throws IllegalArgumentException for an unknown name or a dtype other than F32, F16, BF16
     */
    public NDArray get(NDManager manager, String name) {
        Entry e = entry(name);
        int width = switch (e.dtype()) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException("tensor " + name + " has dtype " + e.dtype()
                    + "; only F32, F16 and BF16 are read (as float32)");
        };
        long count = (e.end() - e.begin()) / width;
        if (count * 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + name + " has " + count + " elements, too many for one buffer");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (count * 4)).order(ByteOrder.nativeOrder());
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(e.end() - e.begin(), 1)))
                .order(ByteOrder.LITTLE_ENDIAN);
        long position = e.shard().dataStart + e.begin();
        long remaining = e.end() - e.begin();
        try {
            while (remaining > 0) {
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), remaining));
                readFully(e.shard().channel, chunk, position);
                chunk.flip();
                position += chunk.remaining();
                remaining -= chunk.remaining();
                switch (e.dtype()) {
                    case "F32" -> {
                        while (chunk.remaining() >= 4) {
                            out.putFloat(chunk.getFloat());
                        }
                    }
                    case "F16" -> {
                        while (chunk.remaining() >= 2) {
                            out.putFloat(halfToFloat(chunk.getShort() & 0xffff));
                        }
                    }
                    default -> {
                        while (chunk.remaining() >= 2) {
                            out.putFloat(bfloat16ToFloat(chunk.getShort() & 0xffff));
                        }
                    }
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + e.shard().path, ex);
        }
        out.flip();
        NDArray array = manager.create(out, new Shape(e.shape()), DataType.FLOAT32);
        array.setName(name);
        return array;
    }

    @Override
    public void close() {
        closeAll(shards);
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return e;
    }

    /**
     * Writes one safetensors file (for tests and fixtures): the tensors in {@code tensors}' order,
     * each with its shape from {@code shapes}, stored as {@code dtype} ({@code F32}, {@code F16} or
     * {@code BF16}; F16 and BF16 rounded to nearest, ties to even).
     */
    public static void write(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes, String dtype) {
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException("cannot write dtype " + dtype);
        };
        ObjectNode header = MAPPER.createObjectNode();
        long offset = 0;
        Map<String, Long> begins = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            if (shape == null) {
                throw new IllegalArgumentException("no shape for tensor " + e.getKey());
            }
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (count != e.getValue().length) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has " + e.getValue().length
                        + " values for shape " + java.util.Arrays.toString(shape));
            }
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype);
            var s = t.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            long end = offset + count * width;
            t.putArray("data_offsets").add(offset).add(end);
            begins.put(e.getKey(), offset);
            offset = end;
        }
        byte[] json = MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(prefix.array());
            for (float[] values : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    switch (dtype) {
                        case "F32" -> b.putFloat(v);
                        case "F16" -> b.putShort((short) floatToHalf(v));
                        default -> b.putShort((short) floatToBfloat16(v));
                    }
                }
                out.write(b.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** IEEE 754 binary16 bits to float32, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f; // subnormal (or zero): exact, mantissa < 2^10
            return sign != 0 ? -value : value;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** bfloat16 bits to float32: the upper half of the float32 bits. */
    static float bfloat16ToFloat(int bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** float32 to binary16 bits, rounded to nearest with ties to even; overflow gives infinity. */
    static int floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0);
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) {
            return sign | 0x7c00;
        }
        if (e <= 0) {
            if (e < -10) {
                return sign;
            }
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) == 1)) {
                half++;
            }
            return sign | half;
        }
        int half = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // a carry into the exponent is right, up to infinity
        }
        return sign | half;
    }

    /** float32 to bfloat16 bits, rounded to nearest with ties to even. */
    static int floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return ((bits >>> 16) & 0x8000) | 0x7fc0;
        }
        return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, p);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + p);
            }
            p += n;
        }
    }

    private static IllegalArgumentException corrupt(Path path, String what) {
        return new IllegalArgumentException(path + ": corrupt safetensors header: " + what);
    }

    private static void closeAll(List<Shard> shards) {
        for (Shard s : shards) {
            try {
                s.channel.close();
            } catch (IOException ignored) {
                // closing a read-only channel: nothing to lose
            }
        }
    }
}
