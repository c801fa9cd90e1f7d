package io.prefloop.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The safetensors format (huggingface/safetensors: 8-byte little-endian header length, a JSON
 * header of name to {dtype, shape, data_offsets}, then the raw little-endian, row-major tensor
 * bytes), which PyTorch reads with {@code safetensors.torch.load_file}. DJL 0.36 writes and reads
 * it itself ({@code NDList.Encoding.SAFETENSORS}); this class only insists on names.
 */
public final class Safetensors {

    private Safetensors() {}

    /** Every array must carry a unique name ({@link NDArray#setName}): it becomes the key. */
    public static byte[] encode(NDList tensors) {
        Set<String> names = new HashSet<>();
        for (NDArray a : tensors) {
            String name = a.getName();
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("every tensor needs a name, shape " + a.getShape());
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("duplicate tensor name " + name);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            tensors.encode(out, NDList.Encoding.SAFETENSORS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The tensors in {@code bytes}, named, attached to {@code manager}. */
    public static NDList decode(NDManager manager, byte[] bytes) {
        return NDList.decode(manager, bytes);
    }
}
