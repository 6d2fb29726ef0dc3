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

// Protobuf helpers (wire format: varints and length-delimited fields only).
function pbVarint(b, i) {
  let v = 0n, sh = 0n;
  for (;;) { const c = b[i++]; v |= BigInt(c & 0x7f) << sh; sh += 7n; if (!(c & 0x80)) return [v, i]; }
}
function pbFields(b) {
  const out = [];
  for (let i = 0; i < b.length;) {
    const [key, j] = pbVarint(b, i);
    const f = Number(key >> 3n), w = Number(key & 7n);
    let k = j, val;
    if (w === 0) [val, k] = pbVarint(b, j);
    else if (w === 2) { const [l, m] = pbVarint(b, j); val = b.subarray(m, m + Number(l)); k = m + Number(l); }
    else if (w === 5) { val = b.subarray(j, j + 4); k = j + 4; }
    else if (w === 1) { val = b.subarray(j, j + 8); k = j + 8; }
    out.push({ f, w, val, raw: b.subarray(i, k) });
    i = k;
  }
  return out;
}

// A Unigram .model as a Hugging Face tokenizer.json, laid out like
// transformers' SentencePiece converters (T5/ALBERT): Precompiled charsmap,
// Strip right, Replace(" {2,}" -> "▁"), Metaspace (always), Unigram with the
// piece scores; control and unknown pieces as special added tokens.
export function spmHfJson(modelPath) {
  const top = pbFields(fs.readFileSync(modelPath));
  const vocab = [], added = [];
  let unk = 0, byteFallback = false, charsmap = null;
  for (const fld of top) {
    if (fld.f === 1) {
      const sub = pbFields(fld.val);
      const text = sub.find((x) => x.f === 1)?.val.toString('utf8') || '';
      const score = sub.find((x) => x.f === 2)?.val.readFloatLE(0) ?? 0;
      const type = Number(sub.find((x) => x.f === 3)?.val ?? 1n);
      const id = vocab.length;
      vocab.push([text, score]);
      if (type === 2) unk = id;
      if (type === 2 || type === 3) added.push({ id, content: text, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    } else if (fld.f === 2) {
      for (const x of pbFields(fld.val)) if (x.f === 35 && x.w === 0) byteFallback = x.val !== 0n;
    } else if (fld.f === 3) {
      for (const x of pbFields(fld.val)) if (x.f === 2 && x.w === 2 && x.val.length) charsmap = Buffer.from(x.val).toString('base64');
    }
  }
  const ms = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added,
    normalizer: { type: 'Sequence', normalizers: [
      ...(charsmap ? [{ type: 'Precompiled', precompiled_charsmap: charsmap }] : []),
      { type: 'Strip', strip_left: false, strip_right: true },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '\u2581' },
    ] },
    pre_tokenizer: ms,
    post_processor: null,
    decoder: ms,
    model: { type: 'Unigram', unk_id: unk, vocab, byte_fallback: byteFallback },
  };
}

// A copy of a ModelProto with every 7th normal piece of 2+ chars marked
// UNUSED (type 5), re-encoded field by field.
export function markUnused(buf) {
  const enc = (v) => {
    const o = [];
    v = BigInt(v);
    do { let c = Number(v & 0x7fn); v >>= 7n; if (v) c |= 0x80; o.push(c); } while (v);
    return Buffer.from(o);
  };
  let n = 0;
  const parts = pbFields(buf).map((fld) => {
    if (fld.f !== 1) return fld.raw;
    const sub = pbFields(fld.val);
    const text = sub.find((x) => x.f === 1)?.val.toString('utf8') || '';
    const type = Number(sub.find((x) => x.f === 3)?.val ?? 1n);
    if (type !== 1 || [...text].length < 2 || n++ % 7) return fld.raw;
    const body = Buffer.concat([...sub.filter((x) => x.f !== 3).map((x) => x.raw), enc(3 << 3), enc(5)]);
    return Buffer.concat([enc((1 << 3) | 2), enc(body.length), body]);
  });
  return Buffer.concat(parts);
}
