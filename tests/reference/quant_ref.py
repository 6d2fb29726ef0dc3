#!/usr/bin/python3
"""Independent numpy dequantizer for minnow's quantized tensor types.

Written from ggml's published block layouts (ggml-common.h / ggml-quants.c),
not from minnow's C code. It generates seeded random blocks for every type
(raw random bytes, so int8 -128 and every nibble value occur; the first blocks
are all-0x80 / all-0xFF patterns; f16 scales include subnormals, zero,
negative values and 65504; NaN/inf scales are avoided because NaN payloads are
not portable) and writes tests/golden/quant/<type>.bin:

    b"MNQV" u32 version(1) u32 ggml_type u32 n | row bytes | n x f32 expected

The C test (tests/c/test_quant.c) dequantizes the row with the _ref and the
vec128 kernels and compares bit for bit, on every target.

Run with Debian's python3 + python3-numpy:
    /usr/bin/python3 tests/reference/quant_ref.py [OUTDIR]
All float arithmetic is float32 with one rounding per operation, in the order
ggml's dequantize_row_* uses.
"""
import os
import struct
import sys

import numpy as np

F32 = np.float32
QK_K = 256

# name: (ggml type id, block elements, block bytes, offsets of f16 scale fields)
TYPES = {
    "f32": (0, 1, 4, []), "f16": (1, 1, 2, []), "bf16": (30, 1, 2, []),
    "q4_0": (2, 32, 18, [0]), "q4_1": (3, 32, 20, [0, 2]), "q5_0": (6, 32, 22, [0]),
    "q5_1": (7, 32, 24, [0, 2]), "q8_0": (8, 32, 34, [0]), "q8_1": (9, 32, 36, [0, 2]),
    "q2_k": (10, 256, 84, [80, 82]), "q3_k": (11, 256, 110, [108]), "q4_k": (12, 256, 144, [0, 2]),
    "q5_k": (13, 256, 176, [0, 2]), "q6_k": (14, 256, 210, [208]), "q8_k": (15, 256, 292, []),
    "tq1_0": (34, 256, 54, [52]), "tq2_0": (35, 256, 66, [64]),
}


def h2f(b, off):
    """f16 field at byte offset `off` of each block row of b (nb x size) -> float32[nb]"""
    return b[:, off:off + 2].copy().view("<f2").reshape(-1).astype(F32)


def nib(a):
    return (a & 15).astype(np.int32), (a >> 4).astype(np.int32)


def deq_legacy(name, b):
    d = h2f(b, 0)[:, None]
    if name == "q4_0":
        lo, hi = nib(b[:, 2:18])
        q = np.concatenate([lo, hi], axis=1) - 8
        return q.astype(F32) * d
    if name == "q4_1":
        m = h2f(b, 2)[:, None]
        lo, hi = nib(b[:, 4:20])
        q = np.concatenate([lo, hi], axis=1)
        return q.astype(F32) * d + m
    if name in ("q5_0", "q5_1"):
        o = 2 if name == "q5_0" else 4
        qh = b[:, o:o + 4].copy().view("<u4").reshape(-1, 1).astype(np.int64)
        bits = (qh >> np.arange(32)) & 1
        lo, hi = nib(b[:, o + 4:o + 20])
        q = np.concatenate([lo, hi], axis=1) | (bits << 4)
        if name == "q5_0":
            return (q - 16).astype(F32) * d
        return q.astype(F32) * d + h2f(b, 2)[:, None]
    o = 2 if name == "q8_0" else 4
    return b[:, o:o + 32].view(np.int8).astype(F32) * d


def k4(scales, j):
    if j < 4:
        return scales[:, j] & 63, scales[:, j + 4] & 63
    return ((scales[:, j + 4] & 15) | ((scales[:, j - 4] >> 6) << 4),
            (scales[:, j + 4] >> 4) | ((scales[:, j] >> 6) << 4))


def deq_k(name, b):
    nb = b.shape[0]
    y = np.zeros((nb, QK_K), F32)
    if name == "q2_k":
        d, dmin = h2f(b, 80), h2f(b, 82)
        sc, qs = b[:, :16].astype(np.int32), b[:, 16:80].astype(np.int32)
        for n in range(2):
            for j in range(4):
                for half in range(2):
                    s = 8 * n + 2 * j + half
                    q = (qs[:, 32 * n + 16 * half:32 * n + 16 * half + 16] >> (2 * j)) & 3
                    dl = d * (sc[:, s] & 15).astype(F32)
                    ml = dmin * (sc[:, s] >> 4).astype(F32)
                    y[:, 16 * s:16 * s + 16] = dl[:, None] * q.astype(F32) - ml[:, None]
        return y
    if name == "q3_k":
        d = h2f(b, 108)
        hm, qs, sc = b[:, :32].astype(np.int32), b[:, 32:96].astype(np.int32), b[:, 96:108].astype(np.int32)
        for s in range(16):
            low = (sc[:, s] & 15) if s < 8 else (sc[:, s - 8] >> 4)
            high = (sc[:, 8 + s % 4] >> (2 * (s // 4))) & 3
            scale = (low | (high << 4)) - 32
            n, rem = divmod(s, 8)
            j, half = divmod(rem, 2)
            ls = slice(16 * half, 16 * half + 16)
            q = ((qs[:, 32 * n:32 * n + 32][:, ls] >> (2 * j)) & 3) - np.where((hm[:, ls] >> (4 * n + j)) & 1, 0, 4)
            dl = d * scale.astype(F32)
            y[:, 16 * s:16 * s + 16] = dl[:, None] * q.astype(F32)
        return y
    if name in ("q4_k", "q5_k"):
        d, dmin = h2f(b, 0), h2f(b, 2)
        scales = b[:, 4:16].astype(np.int32)
        qs = b[:, 48:176].astype(np.int32) if name == "q5_k" else b[:, 16:144].astype(np.int32)
        qh = b[:, 16:48].astype(np.int32)
        for p in range(4):
            for half in range(2):
                j = 2 * p + half
                sc, m = k4(scales, j)
                q = (qs[:, 32 * p:32 * p + 32] >> (4 * half)) & 15
                if name == "q5_k":
                    q = q + 16 * ((qh >> j) & 1)
                d1 = d * sc.astype(F32)
                m1 = dmin * m.astype(F32)
                y[:, 32 * j:32 * j + 32] = d1[:, None] * q.astype(F32) - m1[:, None]
        return y
    if name == "q6_k":
        d = h2f(b, 208)
        ql, qh, sc = b[:, :128].astype(np.int32), b[:, 128:192].astype(np.int32), b[:, 192:208].view(np.int8).astype(np.int32)
        for h in range(2):
            a, c, hb = ql[:, 64 * h:64 * h + 32], ql[:, 64 * h + 32:64 * h + 64], qh[:, 32 * h:32 * h + 32]
            parts = [(a & 15) | ((hb & 3) << 4), (c & 15) | (((hb >> 2) & 3) << 4),
                     (a >> 4) | (((hb >> 4) & 3) << 4), (c >> 4) | (((hb >> 6) & 3) << 4)]
            for k, q in enumerate(parts):
                for l16 in range(2):
                    e0 = 128 * h + 32 * k + 16 * l16
                    s = e0 // 16
                    ds = d * sc[:, s].astype(F32)
                    y[:, e0:e0 + 16] = ds[:, None] * (q[:, 16 * l16:16 * l16 + 16] - 32).astype(F32)
        return y
    if name == "q8_k":
        d = b[:, 0:4].copy().view("<f4").reshape(-1)
        return d[:, None] * b[:, 4:260].view(np.int8).astype(F32)
    if name == "tq2_0":
        d = h2f(b, 64)
        qs = b[:, :64].astype(np.int32)
        for j in range(2):
            for l in range(4):
                q = (qs[:, 32 * j:32 * j + 32] >> (2 * l)) & 3
                y[:, 128 * j + 32 * l:128 * j + 32 * l + 32] = (q - 1).astype(F32) * d[:, None]
        return y
    if name == "tq1_0":
        d = h2f(b, 52)
        pow3 = [1, 3, 9, 27, 81, 243]

        def digit(v, n):
            return ((((v * pow3[n]) & 255) * 3) >> 8) - 1
        qs, qh = b[:, :48].astype(np.int32), b[:, 48:52].astype(np.int32)
        for n in range(5):
            y[:, 32 * n:32 * n + 32] = digit(qs[:, :32], n).astype(F32) * d[:, None]
        for n in range(5):
            y[:, 160 + 16 * n:176 + 16 * n] = digit(qs[:, 32:48], n).astype(F32) * d[:, None]
        for n in range(4):
            y[:, 240 + 4 * n:244 + 4 * n] = digit(qh, n).astype(F32) * d[:, None]
        return y
    raise ValueError(name)


def rand_half(rng, count):
    """finite f16 bit patterns: moderate, subnormal, zero, +-65504"""
    sign = rng.integers(0, 2, count) << 15
    man = rng.integers(0, 1024, count)
    exp = rng.integers(3, 21, count)
    kind = rng.integers(0, 16, count)
    h = sign | (exp << 10) | man
    h = np.where(kind == 0, sign | man, h)            # subnormal / zero
    h = np.where(kind == 1, sign | 0x7BFF, h)         # +-65504
    h = np.where(kind == 2, 0, h)
    return h.astype("<u2")


def make(name, rng):
    tid, bs, ts, soff = TYPES[name]
    if bs == 1:
        n = 1024
        if name == "f32":
            v = (rng.standard_normal(n) * 10).astype("<f4")
            v[:4] = [0.0, -0.0, 3.4e38, -1e-40]
            return tid, n, v.tobytes(), v.astype(F32)
        h = rng.integers(0, 65536, n).astype("<u2")
        if name == "f16":
            bad = (h & 0x7C00) == 0x7C00   # keep finite (NaN payloads are not portable)
            h[bad] &= 0xBBFF
            return tid, n, h.tobytes(), h.view("<f2").astype(F32)
        bad = (h & 0x7F80) == 0x7F80
        h[bad] &= 0xBFFF
        return tid, n, h.tobytes(), (h.astype(np.uint32) << 16).view("<f4").astype(F32)
    nb = 64 if bs == 32 else 8
    b = rng.integers(0, 256, (nb, ts), dtype=np.uint8)
    b[0, :] = 0x80
    b[1, :] = 0xFF
    b[2, :] = 0x00
    for off in soff:
        b[:, off:off + 2] = rand_half(rng, nb).view(np.uint8).reshape(nb, 2)
    if name == "q8_k":
        d = (rng.standard_normal(nb) * 0.01).astype("<f4")
        b[:, 0:4] = d.view(np.uint8).reshape(nb, 4)
    y = deq_legacy(name, b) if bs == 32 else deq_k(name, b)
    return tid, nb * bs, b.tobytes(), y.reshape(-1).astype(F32)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "golden", "quant")
    os.makedirs(out, exist_ok=True)
    total = 0
    for i, name in enumerate(TYPES):
        rng = np.random.default_rng(20240601 + i)
        tid, n, row, y = make(name, rng)
        assert y.dtype == F32 and y.shape == (n,)
        data = b"MNQV" + struct.pack("<III", 1, tid, n) + row + y.astype("<f4").tobytes()
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)
        total += len(data)
    print("wrote %d files, %d bytes, to %s" % (len(TYPES), total, out))


if __name__ == "__main__":
    main()
