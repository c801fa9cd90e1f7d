#!/usr/bin/env python3
"""Golden fixtures for LlamaForCausalLM (shared-model, io.prefloop.model.hf).

Ports HuggingFace transformers' Llama / Qwen2 modelling code (modeling_llama.py, modeling_qwen2.py,
modeling_rope_utils.py: LlamaRMSNorm, the default and "linear" rotary embeddings, rotate_half,
apply_rotary_pos_emb, repeat_kv, eager_attention_forward, LlamaMLP, LlamaDecoderLayer, LlamaModel,
LlamaForCausalLM) to plain PyTorch, fills two tiny models with seeded random weights and writes, per
model, a directory with

  config.json        the model's HF config
  model.safetensors  its weights under HF's names, F32, written by hand (no safetensors package)
  expected.json      token ids, the logits HF's forward pass gives for them, a prompt and the
                     greedy continuation of it (20 tokens, full recompute at every step)

Needs only PyTorch (1.13 is enough) and numpy, e.g. via the repository's benchmarks/torch-env:

  eval "$(benchmarks/torch-env)"
  /usr/bin/python3 shared-model/src/test/resources/hf/make_llama_fixture.py

Deterministic: seeded weights, float32, one thread.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
GREEDY_TOKENS = 20


# ---- the port (names and order of operations as in transformers) ----

class RMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


def head_dim_of(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


class RotaryEmbedding(nn.Module):
    """_compute_default_rope_parameters, and _compute_linear_scaling_rope_parameters (inv_freq / factor)."""

    def __init__(self, cfg):
        super().__init__()
        base = cfg["rope_theta"]
        dim = head_dim_of(cfg)
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))
        scaling = cfg.get("rope_scaling")
        if scaling is not None:
            rope_type = scaling.get("rope_type", scaling.get("type"))
            if rope_type == "linear":
                inv_freq = inv_freq / scaling["factor"]
            elif rope_type != "default":
                raise ValueError(rope_type)
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.attention_scaling = 1.0

    @torch.no_grad()
    def forward(self, x, position_ids):
        inv_freq_expanded = self.inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = emb.cos() * self.attention_scaling
        sin = emb.sin() * self.attention_scaling
        return cos.to(dtype=x.dtype), sin.to(dtype=x.dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    q_embed = (q * cos) + (rotate_half(q) * sin)
    k_embed = (k * cos) + (rotate_half(k) * sin)
    return q_embed, k_embed


def repeat_kv(hidden_states, n_rep):
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


def eager_attention_forward(module, query, key, value, attention_mask, scaling):
    key_states = repeat_kv(key, module.num_key_value_groups)
    value_states = repeat_kv(value, module.num_key_value_groups)
    attn_weights = torch.matmul(query, key_states.transpose(2, 3)) * scaling
    if attention_mask is not None:
        attn_weights = attn_weights + attention_mask[:, :, :, : key_states.shape[-2]]
    attn_weights = nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)
    attn_output = torch.matmul(attn_weights, value_states)
    return attn_output.transpose(1, 2).contiguous()


def projection_biases(cfg):
    """(q/k/v bias, o_proj bias): Qwen2 hard-codes True/False, Llama and Mistral use attention_bias for all four."""
    if cfg.get("model_type") == "qwen2":
        return True, False
    bias = cfg.get("attention_bias", False)
    return bias, bias


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.head_dim = head_dim_of(cfg)
        self.num_key_value_groups = cfg["num_attention_heads"] // cfg["num_key_value_heads"]
        self.scaling = self.head_dim ** -0.5
        qkv_bias, o_bias = projection_biases(cfg)
        h, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
        self.q_proj = nn.Linear(h, nh * self.head_dim, bias=qkv_bias)
        self.k_proj = nn.Linear(h, nkv * self.head_dim, bias=qkv_bias)
        self.v_proj = nn.Linear(h, nkv * self.head_dim, bias=qkv_bias)
        self.o_proj = nn.Linear(nh * self.head_dim, h, bias=o_bias)

    def forward(self, hidden_states, position_embeddings, attention_mask):
        input_shape = hidden_states.shape[:-1]
        hidden_shape = (*input_shape, -1, self.head_dim)
        query_states = self.q_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        key_states = self.k_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        value_states = self.v_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        cos, sin = position_embeddings
        query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)
        attn_output = eager_attention_forward(self, query_states, key_states, value_states, attention_mask,
                                              self.scaling)
        attn_output = attn_output.reshape(*input_shape, -1).contiguous()
        return self.o_proj(attn_output)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, i, b = cfg["hidden_size"], cfg["intermediate_size"], cfg.get("mlp_bias", False)
        self.gate_proj = nn.Linear(h, i, bias=b)
        self.up_proj = nn.Linear(h, i, bias=b)
        self.down_proj = nn.Linear(i, h, bias=b)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg["hidden_size"], eps=cfg["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], eps=cfg["rms_norm_eps"])

    def forward(self, hidden_states, attention_mask, position_embeddings):
        residual = hidden_states
        hidden_states = self.input_layernorm(hidden_states)
        hidden_states = self.self_attn(hidden_states, position_embeddings, attention_mask)
        hidden_states = residual + hidden_states
        residual = hidden_states
        hidden_states = self.post_attention_layernorm(hidden_states)
        hidden_states = self.mlp(hidden_states)
        return residual + hidden_states


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg["num_hidden_layers"])])
        self.norm = RMSNorm(cfg["hidden_size"], eps=cfg["rms_norm_eps"])
        self.rotary_emb = RotaryEmbedding(cfg)

    def forward(self, input_ids):
        inputs_embeds = self.embed_tokens(input_ids)
        seq = input_ids.shape[1]
        position_ids = torch.arange(seq).unsqueeze(0).expand(input_ids.shape[0], -1)
        # the eager causal mask: 0 where key <= query, the dtype's minimum elsewhere
        min_dtype = torch.finfo(inputs_embeds.dtype).min
        mask = torch.full((seq, seq), min_dtype, dtype=inputs_embeds.dtype).triu(1)[None, None]
        hidden_states = inputs_embeds
        position_embeddings = self.rotary_emb(hidden_states, position_ids)
        for layer in self.layers:
            hidden_states = layer(hidden_states, mask, position_embeddings)
        return self.norm(hidden_states)


class CausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.model = Model(cfg)
        self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        if cfg.get("tie_word_embeddings", False):
            self.lm_head.weight = self.model.embed_tokens.weight

    def forward(self, input_ids):
        return self.lm_head(self.model(input_ids))


# ---- fixtures ----

def randomize(model, seed, embed_std=1.0):
    """Weights large enough that logits spread out (no near-ties in the greedy continuation); a small
    embed_std keeps tied embeddings from repeating the last token forever."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layernorm.weight") or name == "model.norm.weight":
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name == "model.embed_tokens.weight":
                p.copy_(embed_std * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * (1.5 / math.sqrt(p.shape[1])))


def write_safetensors(path, tensors):
    """8-byte little-endian header length, JSON header, raw little-endian F32 bytes."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def hf_state_dict(model, cfg):
    sd = dict(model.state_dict())
    if cfg.get("tie_word_embeddings", False):
        del sd["lm_head.weight"]  # as save_pretrained does for tied weights
    return sd


def greedy(model, prompt, n):
    ids, margins = list(prompt), []
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([ids]))[0, -1]
            top = torch.topk(logits, 2).values
            margins.append(float(top[0] - top[1]))
            ids.append(int(torch.argmax(logits)))
    return ids[len(prompt):], min(margins)


def make(name, cfg, seed, token_ids, embed_std=1.0):
    model = CausalLM(cfg)
    randomize(model, seed, embed_std)
    model.eval()
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(out, "model.safetensors"), hf_state_dict(model, cfg))
    with torch.no_grad():
        logits = model(torch.tensor(token_ids))
    prompt = token_ids[0]
    continuation, margin = greedy(model, prompt, GREEDY_TOKENS)
    expected = {
        "token_ids": token_ids,
        "logits_shape": list(logits.shape),
        "logits": [float("%.7g" % v) for v in logits.flatten().tolist()],
        "prompt": prompt,
        "greedy": continuation,
        "greedy_min_top2_margin": round(margin, 4),
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")
    print(name, "logits", tuple(logits.shape), "greedy", continuation, "min top-2 margin %.4f" % margin)


LLAMA_GQA = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_act": "silu",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "max_position_embeddings": 64,
    "vocab_size": 256,
    "tie_word_embeddings": False,
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

QWEN2_TIED = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_act": "silu",
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 12,
    "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0,
    "rope_scaling": {"type": "linear", "factor": 2.0},
    "max_position_embeddings": 128,
    "vocab_size": 256,
    "tie_word_embeddings": True,
    "attention_bias": True,
    "use_sliding_window": False,
    "sliding_window": None,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

if __name__ == "__main__":
    make("llama-gqa", LLAMA_GQA, 1234, [[1, 17, 42, 99, 7], [5, 200, 13, 88, 101]])
    make("qwen2-tied", QWEN2_TIED, 4321, [[1, 33, 7, 190, 45, 12]], embed_std=0.2)
