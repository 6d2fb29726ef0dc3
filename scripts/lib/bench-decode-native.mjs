// The native half of scripts/bench-decode: minnow's CLI against node-llama-cpp
// (llama.cpp's prebuilt CPU build), 1 thread, the same GGUF files, the same
// prompt ids (llama.cpp's tokenization of one text) and token count.
//
// Measured per run (runs alternate between the two, medians reported):
//   load   call start -> ready to evaluate: minnow = model load + context
//          (the CLI's "loaded in" line: mmap, checks, tokenizer, KV cache);
//          llama.cpp = loadModel + createContext + getSequence
//   prompt tokens / time to evaluate the prompt (batched)
//   decode single-token evaluations / their time (greedy; sampling included)
// Prints a markdown table with minnow / llama.cpp ratios.
import {spawnSync} from "node:child_process";
import path from "node:path";
import {fileURLToPath} from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ""), all[i + 1]]]), []));
const RUNS = Number(args.runs ?? 3), TOKENS = Number(args.tokens ?? 128);
const MODELS = (args.models ?? "").split(",").filter(Boolean);
const PROMPT_TEXT = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. " +
  "One day, she saw a big, red ball. She wanted to play with it, but it was too high. Lily's mom said, " +
  "\"Let's go to the park and find a stick.\"";

const {getLlama} = await import("node-llama-cpp");
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };

function runMinnow(file, prompt) {
  const r = spawnSync(path.join(root, "build/native/minnow"), ["generate", "-m", file, "--prompt-ids", prompt.join(" "),
    "-n", String(TOKENS), "--temp", "0", "--threads", "1", "--ctx", "512", "--batch", "512", "--print-ids"],
  {stdio: ["ignore", "ignore", "pipe"], encoding: "utf8"});
  if (r.status !== 0) throw new Error(`minnow generate failed: ${r.stderr}`);
  const out = r.stderr;
  const load = Number(/loaded in ([0-9.]+) ms/.exec(out)[1]);
  const m = /prompt: ([0-9.]+) tok\/s, decode: ([0-9.]+) tok\/s\s*$/.exec(out);
  return {load, prompt: Number(m[1]), decode: Number(m[2])};
}

async function runLlama(file, prompt) {
  const t0 = performance.now();
  const model = await llama.loadModel({modelPath: file});
  const ctx = await model.createContext({contextSize: 512, batchSize: 512, threads: 1});
  const seq = ctx.getSequence();
  const load = performance.now() - t0;
  const t1 = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  const promptMs = performance.now() - t1;
  let n = 0;
  const t2 = performance.now();
  for await (const tok of seq.evaluate(prompt.slice(-1), {temperature: 0})) { void tok; if (++n >= TOKENS) break; }
  const decodeMs = performance.now() - t2;
  await ctx.dispose();
  await model.dispose();
  /* prompt: n-1 batched tokens; decode: n single-token evaluations (the last prompt token + n-1 generated) */
  return {load, prompt: (prompt.length - 1) * 1e3 / promptMs, decode: n * 1e3 / decodeMs};
}

const rows = [];
for (const file of MODELS) {
  const m = await llama.loadModel({modelPath: file});
  const prompt = [...m.tokenize(PROMPT_TEXT, true)];
  await m.dispose();
  const a = {load: [], prompt: [], decode: []}, b = {load: [], prompt: [], decode: []};
  for (let r = 0; r < RUNS; r++) {
    const x = runMinnow(file, prompt);
    const y = await runLlama(file, prompt);
    for (const k of Object.keys(a)) { a[k].push(x[k]); b[k].push(y[k]); }
  }
  rows.push({file: path.basename(file), n: prompt.length, a: Object.fromEntries(Object.entries(a).map(([k, v]) => [k, median(v)])),
    b: Object.fromEntries(Object.entries(b).map(([k, v]) => [k, median(v)]))});
}
await llama.dispose();

console.log(`\nnative, 1 thread, ${TOKENS} tokens greedy after a prompt of ${rows[0]?.n} tokens, median of ${RUNS} runs`);
console.log("| model | minnow decode tok/s | llama.cpp decode tok/s | ratio | minnow prompt tok/s | llama.cpp prompt tok/s | ratio | minnow load ms | llama.cpp load ms | ratio (llama.cpp / minnow) |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows)
  console.log(`| ${r.file} | ${r.a.decode.toFixed(1)} | ${r.b.decode.toFixed(1)} | ${(r.a.decode / r.b.decode).toFixed(2)}x | ` +
    `${r.a.prompt.toFixed(1)} | ${r.b.prompt.toFixed(1)} | ${(r.a.prompt / r.b.prompt).toFixed(2)}x | ` +
    `${r.a.load.toFixed(1)} | ${r.b.load.toFixed(1)} | ${(r.b.load / r.a.load).toFixed(1)}x |`);
