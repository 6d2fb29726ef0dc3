// A Hugging Face tokenizer.json for a tiktoken encoding (cl100k_base,
// o200k_base), built from the ranks shipped in the tiktoken npm package, the
// way transformers converts tiktoken files: byte-level vocabulary (GPT-2 byte
// to unicode map), merges = every split of a token into two tokens, ordered
// by the token's rank (then the parts' ranks), the encoding's split regex,
// ignore_merges (tiktoken looks a whole piece up first). Used by
// scripts/bench-tokenizers; nothing is committed.
//   node scripts/lib/tiktoken-json.mjs cl100k_base OUT.json
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function byteToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const map = new Array(256);
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}

export function tiktokenJson(name) {
  const file = path.join(path.dirname(require.resolve('tiktoken')), 'encoders', `${name}.json`);
  const enc = JSON.parse(fs.readFileSync(file, 'utf8'));
  // "! <rank> tok tok ...": base64 tokens with consecutive ranks from <rank>
  const ranks = new Map();
  for (const line of enc.bpe_ranks.split('\n')) {
    const parts = line.split(' ').filter((x) => x);
    let r = 0;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === '!') { r = Number(parts[++i]); continue; }
      ranks.set(Buffer.from(parts[i], 'base64').toString('latin1'), r++);
    }
  }
  const b2u = byteToUnicode();
  const str = (latin1) => { let s = ''; for (let i = 0; i < latin1.length; i++) s += b2u[latin1.charCodeAt(i)]; return s; };
  const vocab = {};
  const merges = [];
  for (const [tok, rank] of ranks) {
    vocab[str(tok)] = rank;
    if (tok.length < 2) continue;
    const local = [];
    for (let i = 1; i < tok.length; i++) {
      const a = tok.slice(0, i), b = tok.slice(i);
      if (ranks.has(a) && ranks.has(b)) local.push([a, b, rank]);
    }
    local.sort((x, y) => ranks.get(x[0]) - ranks.get(y[0]) || ranks.get(x[1]) - ranks.get(y[1]));
    merges.push(...local);
  }
  merges.sort((x, y) => x[2] - y[2]);
  const added = Object.entries(enc.special_tokens).map(([content, id]) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: enc.pat_str }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab,
      merges: merges.map(([a, b]) => [str(a), str(b)]),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name, out] = process.argv.slice(2);
  fs.writeFileSync(out, JSON.stringify(tiktokenJson(name)));
}
