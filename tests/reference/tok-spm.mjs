// SentencePiece models for the parity test: trained at test time with the
// sentencepiece library (Debian python3-sentencepiece) on the shared English
// texts, covering both model types and the normalizer options; plus the
// library's own ids as the reference. Nothing here is committed as data.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const spmPython = ['/usr/bin/python3', 'python3'].find((p) => {
  try { execFileSync(p, ['-c', 'import sentencepiece'], { stdio: 'ignore' }); return true; } catch { return false; }
});

// name -> trainer options (Python literals)
export const spmVariants = {
  unigram: "model_type='unigram', vocab_size=1000",
  bpe: "model_type='bpe', vocab_size=1000",
  // user-defined symbols, byte fallback, case folding, whitespace as suffix
  'unigram-ud': "model_type='unigram', vocab_size=1000, user_defined_symbols=['<sep>', 'foo', 'ab'], byte_fallback=True, normalization_rule_name='nfkc_cf', treat_whitespace_as_suffix=True",
  // no whitespace collapsing, no dummy prefix, pieces across spaces
  'unigram-raw': "model_type='unigram', vocab_size=800, remove_extra_whitespaces=False, add_dummy_prefix=False, split_by_whitespace=False, character_coverage=0.99",
  'bpe-ud': "model_type='bpe', vocab_size=1000, user_defined_symbols=['<sep>', 'foo'], byte_fallback=True, split_digits=True, normalization_rule_name='identity'",
};

// Train every variant into dir; @return {name: path}.
export function trainSpm(sharedDir, dir) {
  const text = path.join(dir, 'train.txt');
  fs.writeFileSync(text, Buffer.concat([
    fs.readFileSync(path.join(sharedDir, 'corpus', 'alice29.txt')).subarray(0, 150000),
    fs.readFileSync(path.join(sharedDir, 'corpus', 'TinyStories-valid-sample.txt')),
  ]));
  let script = 'import sentencepiece as spm\n';
  const out = {};
  for (const [name, opts] of Object.entries(spmVariants)) {
    const prefix = path.join(dir, name);
    script += `spm.SentencePieceTrainer.train(input=${JSON.stringify(text)}, model_prefix=${JSON.stringify(prefix)}, minloglevel=2, ${opts})\n`;
    out[name] = `${prefix}.model`;
  }
  execFileSync(spmPython, ['-c', script], { stdio: 'ignore' });
  return out;
}

// The library's ids for each document (one line of ids each).
export function spmIds(model, docs) {
  const script = 'import sys, json, sentencepiece as spm\n' +
    's = spm.SentencePieceProcessor(model_file=sys.argv[1])\n' +
    'for line in sys.stdin:\n' +
    '    print(" ".join(map(str, s.encode(json.loads(line)))))\n';
  const input = docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
  return execFileSync(spmPython, ['-c', script, model], { input, maxBuffer: 1 << 30 }).toString().split('\n');
}

// A copy of a ModelProto with every 7th normal piece of 2+ chars marked
// UNUSED (type 5), re-encoded field by field.
export function markUnused(buf) {
  const varint = (b, i) => {
    let v = 0n, s = 0n;
    for (;;) { const c = b[i++]; v |= BigInt(c & 0x7f) << s; s += 7n; if (!(c & 0x80)) return [v, i]; }
  };
  const enc = (v) => {
    const o = [];
    v = BigInt(v);
    do { let c = Number(v & 0x7fn); v >>= 7n; if (v) c |= 0x80; o.push(c); } while (v);
    return Buffer.from(o);
  };
  const fields = (b) => {
    const out = [];
    for (let i = 0; i < b.length;) {
      const [key, j] = varint(b, i);
      const f = Number(key >> 3n), w = Number(key & 7n);
      let k = j, val;
      if (w === 0) [val, k] = varint(b, j);
      else if (w === 2) { const [l, m] = varint(b, j); val = b.subarray(m, m + Number(l)); k = m + Number(l); }
      else if (w === 5) { val = b.subarray(j, j + 4); k = j + 4; }
      else if (w === 1) { val = b.subarray(j, j + 8); k = j + 8; }
      out.push({ f, w, val, raw: b.subarray(i, k) });
      i = k;
    }
    return out;
  };
  let n = 0;
  const parts = fields(buf).map((fld) => {
    if (fld.f !== 1) return fld.raw;
    const sub = fields(fld.val);
    const text = sub.find((x) => x.f === 1)?.val.toString('utf8') || '';
    const type = Number(sub.find((x) => x.f === 3)?.val ?? 1n);
    if (type !== 1 || [...text].length < 2 || n++ % 7) return fld.raw;
    const body = Buffer.concat([...sub.filter((x) => x.f !== 3).map((x) => x.raw), enc(3 << 3), enc(5)]);
    return Buffer.concat([enc((1 << 3) | 2), enc(body.length), body]);
  });
  return Buffer.concat(parts);
}
