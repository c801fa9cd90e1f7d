# PyTorch-eager twin of the replies language model (shared-model io.prefloop.model.text.TransformerLm:
# GPT-2-style pre-norm layers, learned positions, GELU MLP, untied head; the spec in
# shared-model/checkpoints/replies-base/v0001/manifest.json) and of one DpoTrainer.step (TRL's sigmoid
# loss, beta 0.5, rpo_alpha 2, Adam 3e-5), to time against the Java implementation on the same
# machine: benchmarks/training-vs-torch runs both (docs/benchmarks.md). Random weights of the same
# shapes: the time of a step does not depend on their values.
#
#   eval "$(benchmarks/torch-env)"
#   /usr/bin/python3 benchmarks/replies_twin.py [--pairs 16] [--warmup 5] [--steps 30] [--threads 1]
import argparse, json, os, time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, EOS = 256, 257, 258

# the same pairs as experiments' DpoStepTiming
PROMPTS = ["Q: What colour is grass?\nA:", "Q: Name a sea animal.\nA:"]
CHOSEN = [" Grass is green, as a rule.", " The blue whale is the largest one."]
REJECTED = [" green lol", " whale i guess"]


class Layer(nn.Module):
    def __init__(s, d, heads, ff):
        super().__init__()
        s.heads = heads
        s.ln1, s.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.qkv, s.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        s.fc1, s.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(s, x, bias):
        b, t, d = x.shape
        q, k, v = s.qkv(s.ln1(x)).reshape(b, t, 3, s.heads, d // s.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / (d // s.heads) ** 0.5 + bias
        x = x + s.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))
        return x + s.fc2(F.gelu(s.fc1(s.ln2(x))))


class Lm(nn.Module):
    def __init__(s, spec):
        super().__init__()
        d = spec["d_model"]
        s.tok = nn.Embedding(spec["vocab_size"], d)
        s.pos = nn.Embedding(spec["max_length"], d)
        s.layers = nn.ModuleList(Layer(d, spec["heads"], spec["ff_hidden"]) for _ in range(spec["layers"]))
        s.ln_f = nn.LayerNorm(d)
        s.head = nn.Linear(d, spec["vocab_size"], bias=False)

    def forward(s, ids, mask):
        positions = (mask.cumsum(1) - 1).clamp(min=0).long()
        t = ids.shape[1]
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        allowed = causal[None, None] & mask.bool()[:, None, None, :]
        bias = torch.zeros(allowed.shape).masked_fill(~allowed, -1e9)
        x = s.tok(ids) + s.pos(positions)
        for layer in s.layers:
            x = layer(x, bias)
        return s.head(s.ln_f(x))


def batch(n):
    """Sequences BOS + prompt + completion + EOS, right-padded; completion mask per token."""
    seqs, masks = [], []
    for side in (CHOSEN, REJECTED):
        for i in range(n):
            p = [BOS] + list(PROMPTS[i % 2].encode())
            c = list(side[i % 2].encode()) + [EOS]
            seqs.append(p + c)
            masks.append([0] * len(p) + [1] * len(c))
    t = max(len(x) for x in seqs)
    ids = torch.tensor([x + [PAD] * (t - len(x)) for x in seqs])
    attention = torch.tensor([[1] * len(x) + [0] * (t - len(x)) for x in seqs], dtype=torch.float32)
    completion = torch.tensor([m + [0] * (t - len(m)) for m in masks], dtype=torch.float32)
    return ids, attention, completion


def logps(model, ids, attention, completion):
    logits = model(ids, attention)[:, :-1]
    tokens = ids[:, 1:]
    per_token = torch.gather(logits.log_softmax(-1), 2, tokens[..., None]).squeeze(-1)
    return (per_token * completion[:, 1:]).sum(1), completion[:, 1:].sum(1)


def step(policy, reference, opt, ids, attention, completion, n, beta=0.5, rpo_alpha=2.0):
    with torch.no_grad():
        ref, _ = logps(reference, ids, attention, completion)
    pol, lengths = logps(policy, ids, attention, completion)
    margin = (pol[:n] - ref[:n]) - (pol[n:] - ref[n:])
    loss = -F.logsigmoid(beta * margin).mean() + rpo_alpha * (-pol[:n] / lengths[:n]).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default="shared-model/checkpoints/replies-base/v0001")
    ap.add_argument("--pairs", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--profile", help="also write PyTorch's profile of 5 more steps (Chrome trace)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    spec = json.load(open(os.path.join(a.checkpoint, "manifest.json")))["architecture"]
    policy, reference = Lm(spec), Lm(spec)
    reference.load_state_dict(policy.state_dict())
    reference.requires_grad_(False)
    opt = torch.optim.Adam(policy.parameters(), lr=3e-5)
    ids, attention, completion = batch(a.pairs)
    ms = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        step(policy, reference, opt, ids, attention, completion, a.pairs)
        ms.append((time.perf_counter() - t0) * 1e3)
    if a.profile:
        with torch.autograd.profiler.profile() as prof:
            for i in range(5):
                step(policy, reference, opt, ids, attention, completion, a.pairs)
        prof.export_chrome_trace(a.profile)
    s = sorted(ms[a.warmup:])
    k = len(s)
    median = s[k // 2] if k % 2 else (s[k // 2 - 1] + s[k // 2]) / 2
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"parameters {sum(p.numel() for p in policy.parameters())}, sequences {tuple(ids.shape)}")
    print(f"RESULT torch replies_dpo_step pairs={a.pairs} median_ms={median:.1f} mean_ms={sum(s) / k:.1f} "
          f"min_ms={s[0]:.1f} max_ms={s[-1]:.1f} n={k}", flush=True)


if __name__ == "__main__":
    main()
