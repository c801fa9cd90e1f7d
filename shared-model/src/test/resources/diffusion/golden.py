# Hand-computable golden values for the diffusion math tests (DiffusionMathTest), written out
# independently of the Java code, following ddpo-pytorch's ddim_step_with_logprob. Run: python3 golden.py
import math
betas = [0.1, 0.2, 0.3, 0.4]
ab, p = [], 1.0
for b in betas:
    p *= 1 - b
    ab.append(p)
print("alpha_bar", ab, "snr1", ab[1] / (1 - ab[1]))

# DDIM step t=2 -> prev=1, eta=0.5, per-pixel x_t, eps, z for a 1x1x1x2 image
a, ap, eta = ab[2], ab[1], 0.5
xt, eps, z = [0.5, -1.0], [0.2, 0.3], [1.0, -0.5]
std = eta * math.sqrt((1 - ap) / (1 - a) * (1 - a / ap))
x0 = [(x - math.sqrt(1 - a) * e) / math.sqrt(a) for x, e in zip(xt, eps)]
mean = [math.sqrt(ap) * x + math.sqrt(1 - ap - std**2) * e for x, e in zip(x0, eps)]
prev = [m + std * zz for m, zz in zip(mean, z)]
lp = [-(pv - m) ** 2 / (2 * std**2) - math.log(std) - math.log(math.sqrt(2 * math.pi)) for pv, m in zip(prev, mean)]
print("sigma", std, "x0", x0, "mean", mean, "prev", prev, "logprob(mean over pixels)", sum(lp) / len(lp))

sp = lambda v: math.log1p(math.exp(-v))  # -log sigmoid(v)
print("dpo sigmoid beta10", sp(1.0), "log2", math.log(2))
print("dco beta5", sp(0.5))
z = 0.1 * (0.05 - math.log(0.9))
print("d3po", sp(z))
