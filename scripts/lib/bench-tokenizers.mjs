// The JavaScript half of scripts/bench-tokenizers: encode throughput of
// tiktoken (npm, wasm), @huggingface/tokenizers (pure JS) and
// @anush008/tokenizers (HF's Rust tokenizers through napi) on the same text,
// single thread, median of --reps. Prints one JSON object per line:
//   {"impl", "vocab", "mbps", "tokens", "load_ms"}
// usage: node scripts/lib/bench-tokenizers.mjs --text FILE --reps N VOCAB=tokenizer.json...
//   (cl100k / o200k also run tiktoken itself)
import fs from 'node:fs';

const args = process.argv.slice(2);
let textFile = null, reps = 5;
const vocabs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--text') textFile = args[++i];
  else if (args[i] === '--reps') reps = Number(args[++i]);
  else vocabs.push(args[i].split('='));
}
const text = fs.readFileSync(textFile, 'utf8');
const bytes = Buffer.byteLength(text, 'utf8');

async function measure(impl, vocab, load, encode) {
  let t0 = performance.now();
  let enc;
  try {
    enc = await load();
  } catch (e) {
    console.log(JSON.stringify({ impl, vocab, error: String(e.message || e).slice(0, 200) }));
    return;
  }
  const loadMs = performance.now() - t0;
  const times = [];
  let tokens = 0;
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    tokens = await encode(enc);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(reps / 2)] / 1000;
  console.log(JSON.stringify({ impl, vocab, mbps: +(bytes / med / 1e6).toFixed(2), tokens, load_ms: +loadMs.toFixed(1) }));
}

async function optional(name) {
  try { return await import(name); } catch { return null; }
}
const tiktoken = await optional('tiktoken');
const hfjs = await optional('@huggingface/tokenizers');
const rust = await optional('@anush008/tokenizers');

for (const [vocab, file] of vocabs) {
  const tt = { cl100k: 'cl100k_base', o200k: 'o200k_base' }[vocab];
  if (tiktoken && tt) {
    await measure('tiktoken (wasm)', vocab, () => tiktoken.get_encoding(tt), (e) => e.encode_ordinary(text).length);
  }
  if (hfjs) {
    await measure('@huggingface/tokenizers (JS)', vocab,
      () => new hfjs.Tokenizer(JSON.parse(fs.readFileSync(file, 'utf8')), {}),
      (t) => t.encode(text, { add_special_tokens: false }).ids.length);
  }
  if (rust) {
    await measure('@anush008/tokenizers (Rust, napi)', vocab,
      () => { const t = rust.Tokenizer.fromFile(file); t.disablePadding(); t.disableTruncation(); return t; },
      async (t) => (await t.encode(text, null, { addSpecialTokens: false })).getIds().length);
  }
}
