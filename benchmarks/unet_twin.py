# PyTorch-eager twin of the project's shapes UNet (shared-model io.prefloop.model.diffusion.UNet,
# the spec in shared-model/checkpoints/shapes-unet/base/manifest.json) and of one
# DiffusionDpoTrainer.step, to time against the Java implementation (DJL on PyTorch's natives) on
# the same machine in the same run: benchmarks/training-vs-torch runs both (docs/benchmarks.md).
#
#   eval "$(benchmarks/torch-env)"     # a PyTorch for Debian's /usr/bin/python3
#   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/unet_twin.py [options]
#
#   --checkpoint DIR    model.safetensors + manifest.json (default: the committed base under $PREFLOOP_REPO, else the current directory)
#   --check DIR         compare with a Java dump of a forward pass and three training steps
#   --ops idiomatic     nn.GroupNorm, F.silu, F.interpolate (what one would write in PyTorch)
#   --ops literal       the Java op sequence: layer_norm over (N, G, C/G*H*W) + affine, x*sigmoid(x),
#                       repeat_interleave twice for nearest x2
#   --batches 8,32 --warmup 5 --steps 30 --beta 500 --sft 500 --lr 5e-5
#   --sample-batch 16 --sample-reps 30 --cfg 3 --threads 1
#   --no-time           only print the architecture / parameter count (and run --check)
#   --profile FILE      PyTorch's profile of 5 more steps per batch size (benchmarks/op-times sums it)
import argparse, json, math, os, struct, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CKPT = os.path.join(os.environ.get("PREFLOOP_REPO", "."), "shared-model/checkpoints/shapes-unet/base")


# ---------------------------------------------------------------------------------------------
# safetensors, standard library only: u64 LE header length, JSON header, raw LE tensors
def read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    n = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    data = bytearray(buf[8 + n:])
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        t = torch.frombuffer(data, dtype=dtypes[h["dtype"]], count=(b - a) // torch.tensor([], dtype=dtypes[h["dtype"]]).element_size(), offset=a)
        out[name] = t.reshape(h["shape"]).clone()
    return header, out


# ---------------------------------------------------------------------------------------------
# the network; module and parameter names are the Java names (UNet registers PyTorch-style dotted names)
OPS = "idiomatic"


def silu(x):
    return F.silu(x) if OPS == "idiomatic" else x * torch.sigmoid(x)


class GroupNorm(nn.Module):
    """Layers.GroupNorm: normalise over (C/G, H, W) per group, eps 1e-5, per-channel affine."""

    def __init__(s, groups, channels):
        super().__init__()
        s.groups = groups
        s.weight = nn.Parameter(torch.ones(channels))
        s.bias = nn.Parameter(torch.zeros(channels))

    def forward(s, x):
        if OPS == "idiomatic":
            return F.group_norm(x, s.groups, s.weight, s.bias, 1e-5)
        n = x.shape[0]
        g = x.reshape(n, s.groups, -1)
        per = g.shape[-1]
        ones = torch.ones(per, dtype=x.dtype)
        zeros = torch.zeros(per, dtype=x.dtype)
        normed = F.layer_norm(g, (per,), ones, zeros, 1e-5).reshape(x.shape)
        return normed * s.weight.reshape(1, -1, 1, 1) + s.bias.reshape(1, -1, 1, 1)


def conv(i, o, k=3, stride=1):
    return nn.Conv2d(i, o, k, stride=stride, padding=k // 2)


class ResBlock(nn.Module):
    def __init__(s, cin, cout, emb, groups):
        super().__init__()
        s.norm1 = GroupNorm(groups, cin)
        s.conv1 = conv(cin, cout)
        s.emb_proj = nn.Linear(emb, cout)
        s.norm2 = GroupNorm(groups, cout)
        s.conv2 = conv(cout, cout)
        s.skip = None if cin == cout else conv(cin, cout, 1)

    def forward(s, x, emb):
        h = s.conv1(silu(s.norm1(x)))
        h = h + s.emb_proj(silu(emb))[:, :, None, None]
        h = s.conv2(silu(s.norm2(h)))
        return (x if s.skip is None else s.skip(x)) + h


class SelfAttention2d(nn.Module):
    def __init__(s, ch, heads, groups):
        super().__init__()
        s.norm = GroupNorm(groups, ch)
        s.qkv = conv(ch, 3 * ch, 1)
        s.proj = conv(ch, ch, 1)
        s.heads = heads

    def forward(s, x):
        n, c, hh, ww = x.shape
        d = c // s.heads
        hw = hh * ww
        qkv = s.qkv(s.norm(x)).reshape(n, 3, s.heads, d, hw).transpose(0, 1).reshape(3, n * s.heads, d, hw)
        q = qkv[0].transpose(1, 2)  # (B, HW, d)
        k = qkv[1]                  # (B, d, HW)
        v = qkv[2].transpose(1, 2)  # (B, HW, d)
        attn = torch.softmax(torch.bmm(q, k) * (1.0 / math.sqrt(d)), dim=2)
        out = torch.bmm(attn, v).transpose(1, 2).reshape(x.shape)
        return x + s.proj(out)


class TimestepEmbedding(nn.Module):
    def __init__(s, dim):
        super().__init__()
        s.dim = dim
        half = dim // 2
        freqs = torch.tensor([math.exp(-math.log(10000) * i / half) for i in range(half)], dtype=torch.float32)
        s.register_buffer("freqs", freqs, persistent=False)
        s.fc1 = nn.Linear(dim, dim)
        s.fc2 = nn.Linear(dim, dim)

    def forward(s, t):
        args = t.to(torch.float32).reshape(-1, 1) * s.freqs.reshape(1, -1)
        return s.fc2(silu(s.fc1(torch.cat([args.cos(), args.sin()], 1))))


class PromptEncoder(nn.Module):
    def __init__(s, vocab, max_tokens, dim):
        super().__init__()
        s.token_embedding = nn.Embedding(vocab, dim)
        s.position_embedding = nn.Parameter(torch.randn(max_tokens, dim) * 0.02)
        s.null_embedding = nn.Parameter(torch.randn(dim) * 0.02)
        s.fc1 = nn.Linear(dim, dim)
        s.fc2 = nn.Linear(dim, dim)

    def forward(s, ids, use_null):
        L = ids.shape[1]
        emb = s.token_embedding(ids.long())
        mask = (ids != 0).to(torch.float32).unsqueeze(2)
        pooled = ((emb + s.position_embedding[:L].unsqueeze(0)) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        cond = s.fc2(silu(s.fc1(pooled)))
        u = use_null.to(torch.float32).reshape(-1, 1)
        return cond * (1 - u) + u * s.null_embedding.reshape(1, -1)


class Level(nn.Module):
    pass


class Mid(nn.Module):
    pass


class UNet(nn.Module):
    def __init__(s, spec):
        super().__init__()
        w = spec["widths"]
        e = spec["embed_dim"]
        g = spec["groups"]
        s.time_embedding = TimestepEmbedding(e)
        s.prompt_encoder = PromptEncoder(len(spec["vocabulary"]), spec["max_prompt_tokens"], e)
        s.conv_in = conv(spec["channels"], w[0])
        s.down = nn.ModuleList()
        ch = w[0]
        for i in range(len(w)):
            lv = Level()
            lv.res = nn.ModuleList()
            for r in range(spec["res_blocks"]):
                lv.res.append(ResBlock(ch, w[i], e, g))
                ch = w[i]
            if i < len(w) - 1:
                lv.downsample = conv(ch, ch, 3, 2)
            s.down.append(lv)
        s.mid = Mid()
        s.mid.res = nn.ModuleList([ResBlock(ch, ch, e, g), ResBlock(ch, ch, e, g)])
        if spec["attention"]:
            s.mid.attention = SelfAttention2d(ch, spec["attention_heads"], g)
        ups = [None] * len(w)
        for i in reversed(range(len(w))):
            lv = Level()
            lv.res = nn.ModuleList()
            for r in range(spec["res_blocks"]):
                cin = ch + w[i] if r == 0 else w[i]
                lv.res.append(ResBlock(cin, w[i], e, g))
                ch = w[i]
            if i > 0:
                lv.upsample = conv(ch, ch)
            ups[i] = lv
        s.up = nn.ModuleList(ups)  # index = level, as in the Java names (up.1 runs first)
        s.norm_out = GroupNorm(g, ch)
        s.conv_out = conv(ch, spec["channels"])

    def forward(s, x, t, tokens, use_null):
        emb = s.time_embedding(t) + s.prompt_encoder(tokens, use_null)
        h = s.conv_in(x)
        skips = []
        for lv in s.down:
            for b in lv.res:
                h = b(h, emb)
            skips.append(h)
            if hasattr(lv, "downsample"):
                h = lv.downsample(h)
        h = s.mid.res[0](h, emb)
        if hasattr(s.mid, "attention"):
            h = s.mid.attention(h)
        h = s.mid.res[1](h, emb)
        for i in reversed(range(len(s.up))):
            lv = s.up[i]
            h = torch.cat([h, skips.pop()], 1)
            for b in lv.res:
                h = b(h, emb)
            if hasattr(lv, "upsample"):
                if OPS == "idiomatic":
                    h = F.interpolate(h, scale_factor=2, mode="nearest")
                else:
                    h = h.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
                h = lv.upsample(h)
        return s.conv_out(silu(s.norm_out(h)))


# ---------------------------------------------------------------------------------------------
# schedule, tokenizer, loss, trainer step, DDIM step (NoiseSchedule, PromptTokenizer,
# DiffusionDpoLoss, DiffusionDpoTrainer, DdimStep, Guidance)
def linear_alpha_bars(T, b0=1e-4, b1=0.02):
    out, prod = [], 1.0
    for t in range(T):
        prod *= 1 - (b0 + (b1 - b0) * t / max(1, T - 1))
        out.append(prod)
    return torch.tensor(out, dtype=torch.float64)


class Tokenizer:
    def __init__(s, vocab, max_tokens):
        s.ids = {w: i for i, w in enumerate(vocab)}
        s.max = max_tokens

    def encode(s, prompts):
        import re
        rows = []
        for p in prompts:
            row = [s.ids.get(w, 1) for w in re.split(r"[^a-z0-9<>]+", p.lower()) if w][: s.max]
            rows.append(row + [0] * (s.max - len(row)))
        return torch.tensor(rows, dtype=torch.int32)


PROMPTS = ["a red circle", "a blue square", "a green triangle", "a yellow ring",
           "a purple circle", "a red square", "a green circle", "a blue triangle"]


def prompts(n):
    return [PROMPTS[i % len(PROMPTS)] for i in range(n)]


def per_sample_mse(pred, target):
    return (pred - target).square().reshape(pred.shape[0], -1).mean(1)


def dpo_loss(model_w, model_l, ref_w, ref_l, beta, sft):
    logits = (ref_w - ref_l) - (model_w - model_l)
    scaled = logits * beta
    loss = F.softplus(-scaled).mean()
    if sft > 0:
        loss = loss + model_w.mean() * sft
    with torch.no_grad():
        sc, mw, ml, rw, rl = (a.detach().double() for a in (scaled, model_w, model_l, ref_w, ref_l))
        metrics = {
            "loss": loss.item(),
            "implicit_acc": (sc > 0).double().mean().item(),
            "model_mse": ((mw + ml) / 2).mean().item(),
            "ref_mse": ((rw + rl) / 2).mean().item(),
            "rewards/chosen": (-beta * (mw - rw)).mean().item(),
            "rewards/rejected": (-beta * (ml - rl)).mean().item(),
            "rewards/margins": sc.mean().item(),
        }
    return loss, metrics


def dpo_step(policy, reference, opt, abar, winners, losers, tokens, beta, sft, t=None, noise=None):
    """DiffusionDpoTrainer.step: one t and one noise per pair, shared by winner and loser; the
    policy and the frozen reference over [winners; losers]; loss; backward; Adam."""
    n = winners.shape[0]
    if t is None:
        t = torch.randint(0, abar.shape[0], (n,))
    if noise is None:
        noise = torch.randn(winners.shape)
    x0 = torch.cat([winners, losers])
    eps = torch.cat([noise, noise])
    t2 = torch.cat([t, t])
    a = abar[t2].sqrt().to(torch.float32).reshape(-1, 1, 1, 1)
    s_ = (1 - abar[t2]).sqrt().to(torch.float32).reshape(-1, 1, 1, 1)
    xt = x0 * a + eps * s_
    tok = torch.cat([tokens, tokens])
    cond = torch.zeros(2 * n)
    with torch.no_grad():
        ref = per_sample_mse(reference(xt, t2, tok, cond), eps)
    model = per_sample_mse(policy(xt, t2, tok, cond), eps)
    loss, metrics = dpo_loss(model[:n], model[n:], ref[:n], ref[n:], beta, sft)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return metrics


@torch.no_grad()
def ddim_cfg_step(net, abar, x, t, t_prev, tokens, w):
    """GuidedEpsilon.cfg (one pass over [x; x] with [prompt; null]) + DdimStep (eta 0, x0 clipped)."""
    n = x.shape[0]
    both = net(torch.cat([x, x]), torch.full((2 * n,), t, dtype=torch.int32),
               torch.cat([tokens, tokens]), torch.cat([torch.zeros(n), torch.ones(n)]))
    cond, unc = both[:n], both[n:]
    eps = unc + (cond - unc) * w
    a = abar[t].item()
    ap = abar[t_prev].item() if t_prev >= 0 else 1.0
    x0 = ((x - eps * math.sqrt(1 - a)) / math.sqrt(a)).clamp(-1, 1)
    return x0 * math.sqrt(ap) + eps * math.sqrt(max(0.0, 1 - ap))


# ---------------------------------------------------------------------------------------------
def load_blob(base):
    meta = json.load(open(base + ".json"))
    data = bytearray(open(base + ".bin", "rb").read())
    out = {}
    for k, h in meta["arrays"].items():
        dt = torch.int32 if h["dtype"] == "int32" else torch.float32
        count = math.prod(h["shape"])
        out[k] = torch.frombuffer(data, dtype=dt, count=count, offset=h["offset"]).reshape(h["shape"]).clone()
    return out, meta["meta"]


def check(dump, spec, weights):
    """Compares with UnetDpoBench --dump DIR: the forward pass, then the first training step from
    the same winners, losers, t and noise (with -Ddump.optimizer=sgd the step's parameter change is
    minus the gradient, compared tensor by tensor; with Adam only its sign can be compared)."""
    net = UNet(spec)
    net.load_state_dict(weights, strict=True)
    f, _ = load_blob(os.path.join(dump, "forward"))
    with torch.no_grad():
        out = net(f["x"], f["t"], f["tokens"], f["use_null"])
    diff = (out - f["eps"]).abs()
    print(f"check forward ({OPS}): max |twin - java| = {diff.max().item():.3g}, "
          f"mean = {diff.mean().item():.3g}, max |java| = {f['eps'].abs().max().item():.3g}")
    s, meta = load_blob(os.path.join(dump, "step"))
    beta, sft, lr = meta["beta"], meta["sft"], meta["lr"]
    sgd = meta.get("optimizer") == "sgd"
    policy = UNet(spec); policy.load_state_dict(weights)
    reference = UNet(spec); reference.load_state_dict(weights); reference.requires_grad_(False)
    opt = torch.optim.SGD(policy.parameters(), lr=1.0) if sgd else torch.optim.Adam(policy.parameters(), lr=lr)
    abar = linear_alpha_bars(spec["train_timesteps"])
    start = {k: v.clone() for k, v in policy.state_dict().items()}
    m = dpo_step(policy, reference, opt, abar, s["w0"], s["l0"], s["tokens"], beta, sft,
                 t=s["t0"].long(), noise=s["noise0"])
    jm = meta["metrics0"]
    print("check step 0 (same inputs, t, noise): " + ", ".join(
        f"{name} twin {m[name]:.6g} java {jm[name]:.6g}" for name in ("loss", "model_mse", "ref_mse")))
    rows = []
    for name, p in policy.state_dict().items():
        d_twin = p - start[name]
        d_java = s["delta1." + name]
        if sgd:
            err = ((d_twin - d_java).norm() / (d_twin.norm() + 1e-30)).item()
            cos = (torch.dot(d_twin.flatten(), d_java.flatten()) / (d_twin.norm() * d_java.norm() + 1e-30)).item()
            rows.append((name, err, cos, d_twin.norm().item(), d_java.norm().item()))
        else:
            big = d_java.abs() > 0.5 * lr
            agree = (torch.sign(d_twin[big]) == torch.sign(d_java[big])).float().mean().item() if big.any() else 1.0
            rows.append((name, 1 - agree, agree, d_twin.abs().mean().item(), d_java.abs().mean().item()))
    what = "gradient: relative error, cosine" if sgd else "Adam step: sign disagreement, agreement"
    ok = [r for r in rows if r[1] < 1e-3]
    print(f"check first-step {what}: {len(ok)}/{len(rows)} tensors agree (error < 1e-3)")
    for r in sorted(rows, key=lambda r: -r[1])[:4] + [r for r in rows if r[0].startswith("conv_out")]:
        print(f"   {r[0]:40s} error {r[1]:.3g}  cos/agree {r[2]:.4f}  |twin| {r[3]:.4g}  |java| {r[4]:.4g}")


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def report(what, ms):
    s = sorted(ms)
    print(f"RESULT {what} median_ms={median(ms):.1f} mean_ms={sum(ms) / len(ms):.1f} "
          f"min_ms={s[0]:.1f} max_ms={s[-1]:.1f} n={len(ms)}", flush=True)


def main():
    global OPS
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=DEFAULT_CKPT)
    ap.add_argument("--check")
    ap.add_argument("--ops", choices=["idiomatic", "literal"], default="idiomatic")
    ap.add_argument("--batches", default="8,32")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--beta", type=float, default=500)
    ap.add_argument("--sft", type=float, default=500)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--sample-batch", type=int, default=16)
    ap.add_argument("--sample-reps", type=int, default=30)
    ap.add_argument("--cfg", type=float, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-time", action="store_true")
    ap.add_argument("--no-mkldnn", action="store_true", help="torch.backends.mkldnn.enabled = False (ATen conv kernels)")
    ap.add_argument("--profile", help="also write PyTorch's profile of 5 more steps per batch size (Chrome trace; -<pairs> added to the name)")
    args = ap.parse_args()
    OPS = args.ops
    if args.no_mkldnn:
        torch.backends.mkldnn.enabled = False
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(0)

    spec = json.load(open(os.path.join(args.checkpoint, "manifest.json")))["architecture"]
    header, weights = read_safetensors(os.path.join(args.checkpoint, "model.safetensors"))
    java_count = sum(math.prod(h["shape"]) for k, h in header.items() if k != "__metadata__")
    net = UNet(spec)
    twin_count = sum(p.numel() for p in net.parameters())
    twin_shapes = {k: list(v.shape) for k, v in net.state_dict().items()}
    java_shapes = {k: h["shape"] for k, h in header.items() if k != "__metadata__"}
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, ops {OPS}, mkldnn {torch.backends.mkldnn.enabled}, "
          f"blas {next((os.path.realpath(l.split()[-1]) for l in open('/proc/self/maps') if 'libblas' in l or 'openblas' in l), 'bundled (MKL)')}, "
          f"load average {open('/proc/loadavg').read().split()[:3]}")
    print(f"architecture: {json.dumps({k: v for k, v in spec.items() if k != 'vocabulary'})}")
    print(f"parameters: java (safetensors header) {java_count} in {len(java_shapes)} tensors, "
          f"twin {twin_count} in {len(twin_shapes)} tensors; names and shapes identical: {twin_shapes == java_shapes}")
    if twin_shapes != java_shapes:
        for k in sorted(set(twin_shapes) | set(java_shapes)):
            if twin_shapes.get(k) != java_shapes.get(k):
                print(f"  {k}: twin {twin_shapes.get(k)} java {java_shapes.get(k)}")
        sys.exit(1)
    if args.check:
        check(args.check, spec, weights)
    if args.no_time:
        return

    # as DpoExperiment: policy = a trainable copy of the base, reference = the frozen base
    policy = UNet(spec); policy.load_state_dict(weights)
    reference = UNet(spec); reference.load_state_dict(weights); reference.requires_grad_(False); reference.eval()
    opt = torch.optim.Adam(policy.parameters(), lr=args.lr)
    abar = linear_alpha_bars(spec["train_timesteps"])
    tok = Tokenizer(spec["vocabulary"], spec["max_prompt_tokens"])
    size, ch = spec["image_size"], spec["channels"]
    for batch in [int(b) for b in args.batches.split(",")]:
        tokens = tok.encode(prompts(batch))
        ms, losses = [], []
        for i in range(args.warmup + args.steps):
            w = torch.rand(batch, ch, size, size) * 2 - 1
            l = torch.rand(batch, ch, size, size) * 2 - 1
            t0 = time.perf_counter()
            m = dpo_step(policy, reference, opt, abar, w, l, tokens, args.beta, args.sft)
            ms.append((time.perf_counter() - t0) * 1e3)
            losses.append(round(m["loss"], 3))
        report(f"torch dpo_step pairs={batch} sft={args.sft:g} ops={OPS} mkldnn={torch.backends.mkldnn.enabled}", ms[args.warmup:])
        if args.profile:
            with torch.autograd.profiler.profile() as prof:
                for i in range(5):
                    w = torch.rand(batch, ch, size, size) * 2 - 1
                    l = torch.rand(batch, ch, size, size) * 2 - 1
                    dpo_step(policy, reference, opt, abar, w, l, tokens, args.beta, args.sft)
            prof.export_chrome_trace(args.profile.replace(".json", f"-{batch}.json"))
        print(f"steps_ms {[round(x) for x in ms]}\nlosses {losses}")

    n = args.sample_batch
    tokens = tok.encode(prompts(n))
    ms = []
    for i in range(5 + args.sample_reps):
        x = torch.randn(n, ch, size, size)
        t0 = time.perf_counter()
        ddim_cfg_step(policy, abar, x, 480, 440, tokens, args.cfg)
        ms.append((time.perf_counter() - t0) * 1e3)
    report(f"torch ddim_cfg_step batch={n} ops={OPS} mkldnn={torch.backends.mkldnn.enabled}", ms[5:])
    # 25 DDIM steps from noise, as Sampler runs them, per step
    per = []
    ts = [(25 - 1 - i) * 40 for i in range(25)]
    for rep in range(4):
        t0 = time.perf_counter()
        x = torch.randn(n, ch, size, size)
        for t in ts:
            x = ddim_cfg_step(policy, abar, x, t, t - 40, tokens, args.cfg)
            torch.randn(n, ch, size, size)  # Sampler draws each step's noise even at eta 0
        x.clamp(-1, 1)
        per.append((time.perf_counter() - t0) * 1e3 / 25)
    report(f"torch sampler_25step_per_step batch={n} ops={OPS} mkldnn={torch.backends.mkldnn.enabled}", per[1:])
    print(f"load average at end {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
