// Test-time GGUF tokenizer files, written from Hugging Face tokenizer.json
// files the way llama.cpp's convert_hf_to_gguf.py lays out a byte-level BPE
// vocabulary (tokens by id, merges as "a b", special added tokens CONTROL,
// other added tokens USER_DEFINED), plus the few llama.* keys llama.cpp needs
// to open a vocab-only file. Nothing here is committed as data.
import fs from 'node:fs';

const T = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };

// kv: array of [key, type, value] (type ARRAY: value = [elemType, values]).
export function writeGguf(kv) {
  const parts = [];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  const str = (s) => { const b = Buffer.from(s, 'utf8'); u64(b.length); parts.push(b); };
  const scalar = (t, v) => {
    if (t === T.U32) u32(v);
    else if (t === T.I32) { const b = Buffer.alloc(4); b.writeInt32LE(v); parts.push(b); }
    else if (t === T.F32) { const b = Buffer.alloc(4); b.writeFloatLE(v); parts.push(b); }
    else if (t === T.BOOL) parts.push(Buffer.from([v ? 1 : 0]));
    else if (t === T.STRING) str(v);
    else throw new Error(`type ${t}`);
  };
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(0); // tensors
  u64(kv.length);
  for (const [key, t, v] of kv) {
    str(key);
    u32(t);
    if (t === T.ARRAY) {
      const [et, vals] = v;
      u32(et);
      u64(vals.length);
      for (const x of vals) scalar(et, x);
    } else {
      scalar(t, v);
    }
  }
  let buf = Buffer.concat(parts);
  const pad = (32 - (buf.length % 32)) % 32;
  if (pad) buf = Buffer.concat([buf, Buffer.alloc(pad)]);
  return buf;
}

// A "gpt2" GGUF from a byte-level BPE tokenizer.json; pre: tokenizer.ggml.pre.
export function ggufFromTokenizerJson(jsonPath, pre) {
  const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const vocab = j.model.vocab;
  let n = 0;
  for (const id of Object.values(vocab)) n = Math.max(n, id + 1);
  for (const a of j.added_tokens || []) n = Math.max(n, a.id + 1);
  const tokens = new Array(n).fill(null);
  const types = new Array(n).fill(1);
  for (const [s, id] of Object.entries(vocab)) tokens[id] = s;
  for (const a of j.added_tokens || []) {
    tokens[a.id] = a.content;
    types[a.id] = a.special ? 3 : 4;
  }
  for (let i = 0; i < n; i++) if (tokens[i] === null) { tokens[i] = `[PAD${i}]`; types[i] = 5; }
  const merges = j.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  return writeGguf([
    ['general.architecture', T.STRING, 'llama'],
    ['llama.context_length', T.U32, 2048],
    ['llama.embedding_length', T.U32, 64],
    ['llama.feed_forward_length', T.U32, 172],
    ['llama.attention.head_count', T.U32, 8],
    ['llama.attention.head_count_kv', T.U32, 4],
    ['llama.block_count', T.U32, 1],
    ['llama.rope.dimension_count', T.U32, 8],
    ['llama.attention.layer_norm_rms_epsilon', T.F32, 1e-5],
    ['tokenizer.ggml.model', T.STRING, 'gpt2'],
    ['tokenizer.ggml.pre', T.STRING, pre],
    ['tokenizer.ggml.tokens', T.ARRAY, [T.STRING, tokens]],
    ['tokenizer.ggml.token_type', T.ARRAY, [T.I32, types]],
    ['tokenizer.ggml.merges', T.ARRAY, [T.STRING, merges]],
  ]);
}
