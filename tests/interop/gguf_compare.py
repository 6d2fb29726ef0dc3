#!/usr/bin/env python3
"""Compare two GGUF files with llama.cpp's own reader (gguf-py): the same keys
with the same types and values (in any order), the same tensors by name with
the same type, shape and bytes. Prints the differences; exit 1 if any.
usage: gguf_compare.py GGUF_PY_DIR A.gguf B.gguf"""
import sys
sys.path.insert(0, sys.argv[1])
import gguf  # noqa: E402


def keys(r):
    return {k: (tuple(f.types), b''.join(bytes(p) for p in f.parts[3:]))
            for k, f in r.fields.items() if not k.startswith('GGUF.')}


a, b = gguf.GGUFReader(sys.argv[2]), gguf.GGUFReader(sys.argv[3])
bad = []
ka, kb = keys(a), keys(b)
for k in sorted(set(ka) | set(kb)):
    if ka.get(k) != kb.get(k):
        bad.append(f'key {k}: ' + ('missing in one' if k not in ka or k not in kb else 'differs'))
ta, tb = {t.name: t for t in a.tensors}, {t.name: t for t in b.tensors}
for n in sorted(set(ta) | set(tb)):
    x, y = ta.get(n), tb.get(n)
    if x is None or y is None:
        bad.append(f'tensor {n}: missing in one')
    elif x.tensor_type != y.tensor_type or list(x.shape) != list(y.shape):
        bad.append(f'tensor {n}: {x.tensor_type.name} vs {y.tensor_type.name}')
    elif x.data.tobytes() != y.data.tobytes():
        bad.append(f'tensor {n}: bytes differ ({x.tensor_type.name})')
for line in bad[:10]:
    print(line)
print(f'{len(ta)} tensors, {len(ka)} keys, {len(bad)} differences')
sys.exit(1 if bad else 0)
