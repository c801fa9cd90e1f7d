# Writes numpy_written.safetensors exactly as huggingface/safetensors lays it out (the format that
# safetensors.torch.load_file reads): 8-byte LE header size, JSON header padded with spaces to a
# multiple of 8, tensors in row-major little-endian order. Run: python3 make_fixture.py
import json, struct
import numpy as np

tensors = {
    "down.0.conv.weight": np.arange(24, dtype="<f4").reshape(2, 3, 2, 2) * np.float32(0.25) - 3,
    "norm.bias": np.array([-0.0, 1e-40, 3.4028235e38, -1.5], dtype="<f4"),
}
header, offset, blobs = {}, 0, []
for name in sorted(tensors):
    data = tensors[name].tobytes()
    header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    blobs.append(data)
header["__metadata__"] = {"format": "pt"}
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open("numpy_written.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
