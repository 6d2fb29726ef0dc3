#!/usr/bin/python3
"""Independent float64 reference forward pass for minnow's decoder models.

Written from the published architectures (Llama: RMSNorm, rotary embeddings
on adjacent pairs as GGUF files store llama weights, grouped-query attention,
SwiGLU; Qwen2: the same with q/k/v biases and rotary embeddings on halves;
GPT-2: learned positions, LayerNorm, fused QKV, tanh-GELU), with its own
GGUF reader and the numpy dequantizers of quant_ref.py -- not from minnow's
C code.

Precision: everything in float64, except that the activations entering a
quantized matrix are quantized exactly as ggml's integer dot products see
them (Q8_0 / Q8_1 / Q8_K of the float32-rounded row: the dot of a weight row
with those is a sum of exact products, so the reference uses the dequantized
activation values, plus the Q8_1 block-sum term for Q4_1/Q5_1 weights).
What separates minnow from this reference is then float32 rounding, and the
rare activation that lands on the other side of a quantization step.

Usage (Debian python3 + python3-numpy):
    /usr/bin/python3 tests/reference/model_ref.py [--build build/native]
It runs the native C tests once with MN_TEST_MODEL_DUMP=<tmpdir> to get the
seeded synthetic models (the C test builds them with mn_gguf_writer), then
writes tests/golden/model/ref-<name>.bin for each:
    b"MNRL" u32 version(1) u32 n_tokens u32 n_vocab | i32 tokens | f32 logits[n][n_vocab]
tests/c/test_model.c compares minnow's logits with these on every target,
within the tolerances stated there, and checks that a deliberately wrong
model (swapped tensors) fails the same comparison.
"""
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quant_ref  # noqa: E402

F32 = np.float32
TOKENS = [1, 17, 200, 33, 5, 250, 99, 42, 7, 128, 64, 3]
TYPE_NAME = {v[0]: k for k, v in quant_ref.TYPES.items()}

# ----------------------------------------------------------------- GGUF
SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def read_gguf(path):
    b = open(path, "rb").read()
    if b[:4] != b"GGUF":
        raise ValueError("not GGUF")
    version, n_t, n_kv = struct.unpack_from("<IQQ", b, 4)
    o = 24

    def s():
        nonlocal o
        (n,) = struct.unpack_from("<Q", b, o)
        o += 8
        v = b[o:o + n]
        o += n
        return v.decode("utf-8", "replace")

    def val(t):
        nonlocal o
        if t == 8:
            return s()
        if t == 9:
            et, n = struct.unpack_from("<IQ", b, o)
            o += 12
            return [val(et) for _ in range(n)]
        fmt = SCALAR[t]
        (v,) = struct.unpack_from(fmt, b, o)
        o += struct.calcsize(fmt)
        return v

    kv = {}
    for _ in range(n_kv):
        k = s()
        (t,) = struct.unpack_from("<I", b, o)
        o += 4
        kv[k] = val(t)
    infos = []
    for _ in range(n_t):
        name = s()
        (nd,) = struct.unpack_from("<I", b, o)
        o += 4
        ne = struct.unpack_from("<%dQ" % nd, b, o)
        o += 8 * nd
        t, off = struct.unpack_from("<IQ", b, o)
        o += 12
        infos.append((name, list(ne), t, off))
    align = kv.get("general.alignment", 32)
    data = (o + align - 1) // align * align
    tensors = {}
    for name, ne, t, off in infos:
        tname = TYPE_NAME[t]
        _, bs, ts, _ = quant_ref.TYPES[tname]
        n = int(np.prod(ne))
        nbytes = n // bs * ts
        tensors[name] = (tname, ne, np.frombuffer(b, np.uint8, nbytes, data + off))
    return kv, tensors


def dequant(tname, raw, n):
    """float32[n] exactly as ggml dequantizes (one rounding per operation)"""
    if tname == "f32":
        return raw.view("<f4").astype(F32)
    if tname == "f16":
        return raw.view("<f2").astype(F32)
    if tname == "bf16":
        return (raw.view("<u2").astype(np.uint32) << 16).view(F32)
    _, bs, ts, _ = quant_ref.TYPES[tname]
    blocks = raw.reshape(-1, ts)
    if bs == 32:
        return quant_ref.deq_legacy(tname, blocks).reshape(-1)
    return quant_ref.deq_k(tname, blocks).reshape(-1)


# ------------------------------------------------- activation quantizers
def f16r(x):
    return np.asarray(x, F32).astype(np.float16).astype(F32)


def roundf(v):
    """C roundf: half away from zero (float32 input, exact in float64)"""
    a = np.abs(v.astype(np.float64))
    return (np.sign(v) * np.floor(a + 0.5)).astype(np.int32)


def q8_0(x):
    """x float32 [n, cols] -> (dequantized values float64, per-block s for Q8_1)"""
    n, cols = x.shape
    bl = x.reshape(n, cols // 32, 32)
    amax = np.max(np.abs(bl), axis=2)
    d = (amax / F32(127)).astype(F32)
    with np.errstate(divide="ignore"):
        idd = np.where(d != 0, F32(1) / np.where(d != 0, d, F32(1)), F32(0)).astype(F32)
    q = roundf((bl * idd[:, :, None]).astype(F32))
    s = f16r(q.sum(axis=2).astype(F32) * d)
    return (q.astype(np.float64) * f16r(d).astype(np.float64)[:, :, None]).reshape(n, cols), s.astype(np.float64)


def q8_k(x):
    n, cols = x.shape
    bl = x.reshape(n, cols // 256, 256)
    ax = np.abs(bl)
    idx = np.argmax(ax, axis=2)  # first index of the largest |x|
    mx = np.take_along_axis(bl, idx[:, :, None], axis=2)[:, :, 0]
    out = np.zeros(bl.shape, np.float64)
    nz = mx != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        iscale = np.where(nz, F32(-127.0) / np.where(nz, mx, F32(1)), F32(0)).astype(F32)
        v = (iscale[:, :, None] * bl).astype(F32)
        q = np.minimum(np.rint(v), 127).astype(np.int32)  # nearest, ties to even
        d = np.where(nz, F32(1) / np.where(nz, iscale, F32(1)), F32(0)).astype(F32)
    out = q.astype(np.float64) * d.astype(np.float64)[:, :, None]
    out[~nz] = 0
    return out.reshape(n, cols)


def vec_dot_type(tname):
    if tname in ("f32", "f16", "bf16"):
        return None
    if tname in ("q4_1", "q5_1"):
        return "q8_1"
    if tname in ("q4_0", "q5_0", "q8_0", "q8_1"):
        return "q8_0"
    return "q8_k"


# ------------------------------------------------------------ the model
class Mat:
    def __init__(self, tensors, name):
        tname, ne, raw = tensors[name]
        self.tname, self.cols, self.rows = tname, ne[0], ne[1] if len(ne) > 1 else 1
        self.w = dequant(tname, raw, self.cols * self.rows).reshape(self.rows, self.cols).astype(np.float64)
        self.mins = None
        if tname in ("q4_1", "q5_1"):
            # the weight is q*d + m per 32-block: keep m apart for the Q8_1 sum term
            ts = quant_ref.TYPES[tname][2]
            blocks = raw.reshape(-1, ts)
            m = quant_ref.h2f(blocks, 2).astype(np.float64).reshape(self.rows, self.cols // 32)
            self.mins = m
            self.w = self.w - np.repeat(m, 32, axis=1)

    def __call__(self, x):
        vdt = vec_dot_type(self.tname)
        if vdt is None:
            return x @ self.w.T
        x32 = x.astype(F32)
        if vdt == "q8_k":
            return q8_k(x32) @ self.w.T
        xq, s = q8_0(x32)
        y = xq @ self.w.T
        if self.mins is not None:
            y = y + s @ self.mins.T
        return y


def vec(tensors, name):
    tname, ne, raw = tensors[name]
    return dequant(tname, raw, ne[0]).astype(np.float64)


def rmsnorm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + eps) * w


def layernorm(x, w, b, eps):
    mu = np.mean(x, axis=1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def rope(x, n_heads, hd, n_rot, base, neox, scale=1.0, factors=None):
    """x [n, n_heads*hd]; position of row i is i; angle = pos * scale * base^(-2i/n_rot) / factors[i]"""
    n = x.shape[0]
    x = x.reshape(n, n_heads, hd).copy()
    half = n_rot // 2
    inv = base ** (-np.arange(half, dtype=np.float64) * 2.0 / n_rot) * scale
    if factors is not None:
        inv = inv / factors
    ang = np.arange(n, dtype=np.float64)[:, None] * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    if neox:
        a, b = x[:, :, :half].copy(), x[:, :, half:n_rot].copy()
        x[:, :, :half] = a * c - b * s
        x[:, :, half:n_rot] = a * s + b * c
    else:
        a, b = x[:, :, 0:n_rot:2].copy(), x[:, :, 1:n_rot:2].copy()
        x[:, :, 0:n_rot:2] = a * c - b * s
        x[:, :, 1:n_rot:2] = a * s + b * c
    return x.reshape(n, n_heads * hd)


def attention(q, k, v, n_head, n_head_kv, hd):
    n = q.shape[0]
    q = q.reshape(n, n_head, hd)
    k = k.reshape(n, n_head_kv, hd)
    v = v.reshape(n, n_head_kv, hd)
    g = n_head // n_head_kv
    out = np.zeros((n, n_head, hd))
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for h in range(n_head):
        s = q[:, h, :] @ k[:, h // g, :].T / np.sqrt(hd) + mask
        s = np.exp(s - s.max(axis=1, keepdims=True))
        p = s / s.sum(axis=1, keepdims=True)
        out[:, h, :] = p @ v[:, h // g, :]
    return out.reshape(n, n_head * hd)


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def forward(kv, t, tokens):
    arch = kv["general.architecture"]
    A = arch + "."
    E, L = kv[A + "embedding_length"], kv[A + "block_count"]
    H = kv[A + "attention.head_count"]
    HKV = kv.get(A + "attention.head_count_kv", H)
    hd = E // H
    n = len(tokens)
    emb = Mat(t, "token_embd.weight")
    tok_rows = emb.w + (np.repeat(emb.mins, 32, axis=1) if emb.mins is not None else 0)
    x = tok_rows[tokens].copy()
    out = Mat(t, "output.weight") if "output.weight" in t else emb
    if arch == "gpt2":
        eps = kv[A + "attention.layer_norm_epsilon"]
        x = x + vec(t, "position_embd.weight").reshape(-1, E)[:n]
        for l in range(L):
            p = "blk.%d." % l
            h = layernorm(x, vec(t, p + "attn_norm.weight"), vec(t, p + "attn_norm.bias"), eps)
            qkv = Mat(t, p + "attn_qkv.weight")(h) + vec(t, p + "attn_qkv.bias")
            q, k, v = qkv[:, :E], qkv[:, E:E + HKV * hd], qkv[:, E + HKV * hd:]
            a = attention(q, k, v, H, HKV, hd)
            x = x + Mat(t, p + "attn_output.weight")(a) + vec(t, p + "attn_output.bias")
            h = layernorm(x, vec(t, p + "ffn_norm.weight"), vec(t, p + "ffn_norm.bias"), eps)
            u = gelu_tanh(Mat(t, p + "ffn_up.weight")(h) + vec(t, p + "ffn_up.bias"))
            x = x + Mat(t, p + "ffn_down.weight")(u) + vec(t, p + "ffn_down.bias")
        h = layernorm(x, vec(t, "output_norm.weight"), vec(t, "output_norm.bias"), eps)
        return out(h)
    eps = kv[A + "attention.layer_norm_rms_epsilon"]
    base = kv.get(A + "rope.freq_base", 10000.0)
    n_rot = kv.get(A + "rope.dimension_count", hd)
    neox = arch == "qwen2"
    scale = 1.0
    if kv.get(A + "rope.scaling.type", "none") == "linear":
        scale = 1.0 / kv[A + "rope.scaling.factor"]
    factors = vec(t, "rope_freqs.weight") if "rope_freqs.weight" in t else None

    def opt(name):
        return vec(t, name) if name in t else 0.0

    for l in range(L):
        p = "blk.%d." % l
        h = rmsnorm(x, vec(t, p + "attn_norm.weight"), eps)
        q = Mat(t, p + "attn_q.weight")(h) + opt(p + "attn_q.bias")
        k = Mat(t, p + "attn_k.weight")(h) + opt(p + "attn_k.bias")
        v = Mat(t, p + "attn_v.weight")(h) + opt(p + "attn_v.bias")
        q = rope(q, H, hd, n_rot, base, neox, scale, factors)
        k = rope(k, HKV, hd, n_rot, base, neox, scale, factors)
        a = attention(q, k, v, H, HKV, hd)
        x = x + Mat(t, p + "attn_output.weight")(a) + opt(p + "attn_output.bias")
        h = rmsnorm(x, vec(t, p + "ffn_norm.weight"), eps)
        g = Mat(t, p + "ffn_gate.weight")(h)
        u = Mat(t, p + "ffn_up.weight")(h)
        x = x + Mat(t, p + "ffn_down.weight")(g / (1 + np.exp(-g)) * u)
    h = rmsnorm(x, vec(t, "output_norm.weight"), eps)
    return out(h)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.path.join(root, "build", "native")
    if len(sys.argv) > 2 and sys.argv[1] == "--build":
        build = sys.argv[2]
    outdir = os.path.join(root, "tests", "golden", "model")
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, MN_TEST_MODEL_DUMP=tmp)
        subprocess.run([os.path.join(build, "minnow_tests"), "--filter", "model/model_golden_logits"],
                       env=env, stdout=subprocess.DEVNULL, check=False)
        names = sorted(f[:-5] for f in os.listdir(tmp) if f.endswith(".gguf"))
        if not names:
            sys.exit("no models were dumped: build %s first" % build)
        for name in names:
            kv, t = read_gguf(os.path.join(tmp, name + ".gguf"))
            logits = forward(kv, t, np.array(TOKENS)).astype(F32)
            nv = logits.shape[1]
            with open(os.path.join(outdir, "ref-%s.bin" % name), "wb") as f:
                f.write(b"MNRL" + struct.pack("<III", 1, len(TOKENS), nv))
                f.write(np.array(TOKENS, "<i4").tobytes())
                f.write(logits.astype("<f4").tobytes())
            print("%-12s logits rms %.3f" % (name, float(np.sqrt(np.mean(logits.astype(np.float64) ** 2)))))


if __name__ == "__main__":
    main()
