# Writes the tiny GPT-2 fixture that Gpt2ModelTest and HfTokenizerTest compare against, into the
# folder gpt2-tiny/ next to this script:
#
#   config.json        a GPT2LMHeadModel config (2 layers, n_embd 64, 4 heads, n_inner 128,
#                      vocab 300, n_positions 64)
#   model.safetensors  seeded random weights, F32, written by hand in the safetensors layout
#                      (8-byte little-endian header length, JSON header, raw little-endian bytes)
#   tokenizer.json     a byte-level BPE tokenizer in HuggingFace's format (GPT-2's byte-to-unicode
#                      table, 43 merges learned here from a few sentences, <|endoftext|> as id 299)
#   expected.json      logits for fixed token ids, the greedy 20-token continuation of a prompt,
#                      the same for the weights rounded to float16, and token ids of fixed strings
#
# The model is a faithful port of HuggingFace transformers' modeling_gpt2.py (GPT2Attention._attn,
# GPT2MLP, GPT2Block, GPT2Model, GPT2LMHeadModel with its lm_head tied to wte) and of Conv1D
# (pytorch_utils.py), in eval mode (dropout off), without the parts GPT2LMHeadModel does not use
# here (cross-attention, head pruning, model parallelism). It needs PyTorch (1.13 was used) and
# numpy only, no transformers or safetensors package:
#
#   eval "$(benchmarks/torch-env)"        # from the repository root
#   cd shared-model/src/test/resources/hf && /usr/bin/python3 make_gpt2_fixture.py
#
# Seeded: rerunning it rewrites the same files.
import json
import math
import os
import re
import struct

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt2-tiny")

CONFIG = {
    "architectures": ["GPT2LMHeadModel"],
    "model_type": "gpt2",
    "activation_function": "gelu_new",
    "vocab_size": 300,
    "n_positions": 64,
    "n_embd": 64,
    "n_layer": 2,
    "n_head": 4,
    "n_inner": 128,
    "layer_norm_epsilon": 1e-5,
    "scale_attn_weights": True,
    "scale_attn_by_inverse_layer_idx": False,
    "reorder_and_upcast_attn": False,
    "bos_token_id": 299,
    "eos_token_id": 299,
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
}

# ---------------------------------------------------------------------------------------------
# The model: HF's modeling_gpt2.py, reduced to what GPT2LMHeadModel runs in eval mode.


class Conv1D(nn.Module):
    """transformers.pytorch_utils.Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


def gelu_new(x):
    """transformers.activations.NewGELUActivation ("gelu_new")."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, c, layer_idx):
        super().__init__()
        n = c["n_positions"]
        self.register_buffer("bias", torch.tril(torch.ones((n, n), dtype=torch.bool)).view(1, 1, n, n))
        self.embed_dim = c["n_embd"]
        self.num_heads = c["n_head"]
        self.head_dim = self.embed_dim // self.num_heads
        self.split_size = self.embed_dim
        self.scale_attn_weights = c["scale_attn_weights"]
        self.scale_attn_by_inverse_layer_idx = c["scale_attn_by_inverse_layer_idx"]
        self.layer_idx = layer_idx
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)

    def _attn(self, query, key, value):
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        if self.scale_attn_weights:
            attn_weights = attn_weights / torch.full([], value.size(-1) ** 0.5, dtype=attn_weights.dtype)
        if self.scale_attn_by_inverse_layer_idx:
            attn_weights = attn_weights / float(self.layer_idx + 1)
        query_length, key_length = query.size(-2), key.size(-2)
        causal_mask = self.bias[:, :, key_length - query_length: key_length, :key_length]
        mask_value = torch.full([], torch.finfo(attn_weights.dtype).min, dtype=attn_weights.dtype)
        attn_weights = torch.where(causal_mask, attn_weights.to(attn_weights.dtype), mask_value)
        attn_weights = nn.functional.softmax(attn_weights, dim=-1)
        attn_weights = attn_weights.type(value.dtype)
        return torch.matmul(attn_weights, value)

    def _split_heads(self, tensor):
        tensor = tensor.view(tensor.size()[:-1] + (self.num_heads, self.head_dim))
        return tensor.permute(0, 2, 1, 3)

    def _merge_heads(self, tensor):
        tensor = tensor.permute(0, 2, 1, 3).contiguous()
        return tensor.view(tensor.size()[:-2] + (self.num_heads * self.head_dim,))

    def forward(self, hidden_states, layer_past=None):
        query, key, value = self.c_attn(hidden_states).split(self.split_size, dim=2)
        query, key, value = self._split_heads(query), self._split_heads(key), self._split_heads(value)
        if layer_past is not None:
            past_key, past_value = layer_past
            key = torch.cat((past_key, key), dim=-2)
            value = torch.cat((past_value, value), dim=-2)
        attn_output = self._merge_heads(self._attn(query, key, value))
        return self.c_proj(attn_output), (key, value)


class GPT2MLP(nn.Module):
    def __init__(self, inner, c):
        super().__init__()
        self.c_fc = Conv1D(inner, c["n_embd"])
        self.c_proj = Conv1D(c["n_embd"], inner)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, c, layer_idx):
        super().__init__()
        h = c["n_embd"]
        inner = c["n_inner"] if c.get("n_inner") is not None else 4 * h
        self.ln_1 = nn.LayerNorm(h, eps=c["layer_norm_epsilon"])
        self.attn = GPT2Attention(c, layer_idx)
        self.ln_2 = nn.LayerNorm(h, eps=c["layer_norm_epsilon"])
        self.mlp = GPT2MLP(inner, c)

    def forward(self, hidden_states, layer_past=None):
        residual = hidden_states
        attn_output, present = self.attn(self.ln_1(hidden_states), layer_past)
        hidden_states = attn_output + residual
        residual = hidden_states
        hidden_states = residual + self.mlp(self.ln_2(hidden_states))
        return hidden_states, present


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = nn.ModuleList([GPT2Block(c, i) for i in range(c["n_layer"])])
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])

    def forward(self, input_ids, past_key_values=None):
        past_length = 0 if past_key_values is None else past_key_values[0][0].size(-2)
        if past_key_values is None:
            past_key_values = [None] * len(self.h)
        position_ids = torch.arange(past_length, input_ids.size(-1) + past_length, dtype=torch.long).unsqueeze(0)
        hidden_states = self.wte(input_ids) + self.wpe(position_ids)
        presents = []
        for block, layer_past in zip(self.h, past_key_values):
            hidden_states, present = block(hidden_states, layer_past)
            presents.append(present)
        return self.ln_f(hidden_states), presents


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = GPT2Model(c)
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tie_word_embeddings

    def forward(self, input_ids, past_key_values=None):
        hidden, presents = self.transformer(input_ids, past_key_values)
        return self.lm_head(hidden), presents


def randomize(model, seed):
    """Seeded weights large enough that logits are far from uniform (HF's init would give ~uniform)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("wte.weight"):
                std = 0.3
            elif name.endswith("wpe.weight"):
                std = 0.6
            elif "ln_" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape, generator=g))
                continue
            elif name.endswith("bias"):
                std = 0.05
            elif "c_attn" in name:
                std = 0.2
            elif "c_fc" in name:
                std = 0.15
            else:
                std = 0.1
            p.copy_(std * torch.randn(p.shape, generator=g))


@torch.no_grad()
def greedy(model, prompt, n):
    """Greedy continuation with HF's key/value cache (past_key_values); also checked without it."""
    ids = torch.tensor([prompt])
    logits, past = model(ids)
    out, margins = [], []
    for _ in range(n):
        last = logits[0, -1]
        top2 = torch.topk(last, 2).values
        margins.append(float(top2[0] - top2[1]))
        nxt = int(torch.argmax(last))
        out.append(nxt)
        logits, past = model(torch.tensor([[nxt]]), past)
    full = list(prompt)
    for _ in range(n):
        full.append(int(torch.argmax(model(torch.tensor([full]))[0][0, -1])))
    assert full[len(prompt):] == out, "cached and uncached greedy decoding disagree"
    return out, min(margins)


# ---------------------------------------------------------------------------------------------
# The tokenizer: GPT-2's byte-level BPE, with merges learned from a few sentences.

def bytes_to_unicode():
    """GPT-2's table (openai/gpt-2 encoder.py): every byte to a printable unicode character."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


# GPT-2's pre-tokenizer pattern with \p{L} and \p{N} narrowed to ASCII (the test strings are ASCII)
PRETOKEN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
BYTE = bytes_to_unicode()
EOT = "<|endoftext|>"
CORPUS = [
    "the sky is blue and the grass is green.",
    "the cat sat on the mat, and the dog sat on the log.",
    "there is the theory of the thing that the others thought.",
    "a model that reads the weights of another model is a loader.",
    "the rain in the plain stays mainly in the plain.",
]


def pieces(text):
    return ["".join(BYTE[b] for b in p.encode("utf-8")) for p in PRETOKEN.findall(text)]


def learn_merges(count):
    words = {}
    for line in CORPUS:
        for p in pieces(line):
            words[tuple(p)] = words.get(tuple(p), 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for w, f in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + f
        best = min(pairs, key=lambda ab: (-pairs[ab], ab))
        merges.append(best)
        merged = {}
        for w, f in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + f
        words = merged
    return merges


def bpe(piece, ranks):
    """openai/gpt-2 encoder.py's bpe(): merge the lowest-ranked pair everywhere, repeat."""
    word = list(piece)
    while len(word) > 1:
        pairs = set(zip(word, word[1:]))
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        out, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                out.append(word[i] + word[i + 1])
                i += 2
            else:
                out.append(word[i])
                i += 1
        word = out
    return word


def encode(text, vocab, ranks):
    ids = []
    for k, part in enumerate(text.split(EOT)):
        if k > 0:
            ids.append(vocab[EOT])
        for p in pieces(part):
            ids.extend(vocab[t] for t in bpe(p, ranks))
    return ids


def tokenizer_json(vocab_size):
    merges = learn_merges(vocab_size - 256 - 1)
    vocab = {BYTE[b]: i for i, b in enumerate(BYTE)}  # GPT-2's order: the table's insertion order
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    assert len(vocab) == vocab_size - 1, "a merge produced a token twice"
    vocab[EOT] = vocab_size - 1
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab[EOT], "content": EOT, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": dict(byte_level, trim_offsets=False),
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }
    return tok, vocab, {m: r for r, m in enumerate(merges)}


# ---------------------------------------------------------------------------------------------

def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def floats(t):
    # 9 significant digits: enough to give back every float32 exactly
    return [float("%.9g" % v) for v in t.reshape(-1).tolist()]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    model = GPT2LMHeadModel(CONFIG).eval()
    randomize(model, seed=1234)

    # HF saves the tied lm_head.weight only once, as transformer.wte.weight
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()
             if not k.endswith(".attn.bias") and k != "lm_head.weight"}
    write_safetensors(os.path.join(OUT, "model.safetensors"), state)
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)

    tok, vocab, ranks = tokenizer_json(CONFIG["vocab_size"])
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
    strings = ["the sky is blue", "the theory of the plain model", "Hello, world! 42 cats' toys",
               "  two  spaces\tand a tab", "mat" + EOT + "log"]
    encodings = [{"text": s, "ids": encode(s, vocab, ranks)} for s in strings]

    batch = [[3, 141, 59, 299, 7, 256], [270, 12, 0, 88, 298, 100]]
    prompt = encode("the cat sat on the", vocab, ranks)
    with torch.no_grad():
        logits = model(torch.tensor(batch))[0]
    tokens, margin = greedy(model, prompt, 20)

    # the same model with every weight rounded to float16 (round to nearest even), computed in float32
    half = GPT2LMHeadModel(CONFIG).eval()
    half.load_state_dict({k: v.half().float() if v.is_floating_point() else v for k, v in model.state_dict().items()})
    with torch.no_grad():
        half_logits = half(torch.tensor(batch))[0]
    half_tokens, half_margin = greedy(half, prompt, 20)
    assert min(margin, half_margin) > 1e-3, "greedy decoding too close to a tie; change the seed"

    expected = {
        "tokens": batch,
        "logits_shape": list(logits.shape),
        "logits": floats(logits),
        "prompt": prompt,
        "greedy": tokens,
        "greedy_min_top2_margin": margin,
        "f16": {"logits": floats(half_logits), "greedy": half_tokens,
                "max_abs_diff_to_f32": float((half_logits - logits).abs().max())},
        "encodings": encodings,
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print("greedy", tokens, "min top-2 margin %.4f" % margin)
    print("f16 greedy", half_tokens, "max |logit diff| f16 vs f32 %.2e" % expected["f16"]["max_abs_diff_to_f32"])
    for e in encodings:
        print(repr(e["text"]), e["ids"])


if __name__ == "__main__":
    main()
