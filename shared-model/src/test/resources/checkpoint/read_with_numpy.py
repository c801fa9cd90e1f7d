# Reads a model.safetensors with nothing but the format's spec (json + numpy), as a second reader
# independent of DJL: checks the 8-byte header length, dtype/shape/data_offsets of every tensor,
# that offsets tile the data section exactly, and prints name, shape, sum of each tensor.
# Run: python3 read_with_numpy.py path/to/model.safetensors
import json, struct, sys
import numpy as np

DT = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8", "F16": "<f2"}
data = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
body = data[8 + n:]
spans = []
for name, info in header.items():
    if name == "__metadata__":
        continue
    start, end = info["data_offsets"]
    a = np.frombuffer(body[start:end], dtype=DT[info["dtype"]]).reshape(info["shape"])
    spans.append((start, end))
    print(f"{name:50s} {str(list(a.shape)):18s} {info['dtype']} sum={a.sum(dtype=np.float64):.6f}")
spans.sort()
assert spans[0][0] == 0 and spans[-1][1] == len(body), "data section not tiled"
assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), "gaps or overlaps"
print(f"ok: {len(spans)} tensors, {len(body)} bytes")
