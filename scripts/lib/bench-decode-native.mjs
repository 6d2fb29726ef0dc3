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
// Prints a markdown table with minnow / llama.cpp ratios, and a second one by
// CPU clock (what the evaluating thread ran: on a shared machine the wall
// clock mostly measures the other processes): llama.cpp = this process's
// process.cpuUsage() around prompt and decode (its one compute thread and the
// JS loop); minnow = build/bench/bench_decode (the forward pass through the C
// API, the thread's CPU clock; built by scripts/bench-decode), the same
// prompt length and token count, argmax instead of the sampler.
import {spawnSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {benchArgs, median} from "./bench-util.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = benchArgs();
const RUNS = Number(args.runs ?? 3), TOKENS = Number(args.tokens ?? 128);
const MODELS = (args.models ?? "").split(",").filter(Boolean);
const PROMPT_TEXT = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. " +
  "One day, she saw a big, red ball. She wanted to play with it, but it was too high. Lily's mom said, " +
  "\"Let's go to the park and find a stick.\"";

const {getLlama} = await import("node-llama-cpp");
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});

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

const BENCH_DECODE = path.join(root, "build/bench/bench_decode");
function runMinnowCpu(file, prompt) {
  if (!fs.existsSync(BENCH_DECODE)) return null;
  const r = spawnSync(BENCH_DECODE, [file, "--prompt", String(prompt.length - 1), "--tokens", String(TOKENS), "--reps", "1"],
    {stdio: ["ignore", "pipe", "pipe"], encoding: "utf8"});
  if (r.status !== 0) throw new Error(`bench_decode failed: ${r.stderr}`);
  const cpu = (what) => Number(new RegExp(`${what} tok/s: .*cpu median ([0-9.]+)`).exec(r.stdout)[1]);
  return {prompt: cpu("prompt"), decode: cpu("decode")};
}
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function runLlama(file, prompt) {
  const t0 = performance.now();
  const model = await llama.loadModel({modelPath: file});
  const ctx = await model.createContext({contextSize: 512, batchSize: 512, threads: 1});
  const seq = ctx.getSequence();
  const load = performance.now() - t0;
  const t1 = performance.now(), c1 = cpuNow();
  await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  const promptMs = performance.now() - t1, promptCpu = cpuNow() - c1;
  let n = 0;
  const t2 = performance.now(), c2 = cpuNow();
  for await (const tok of seq.evaluate(prompt.slice(-1), {temperature: 0})) { void tok; if (++n >= TOKENS) break; }
  const decodeMs = performance.now() - t2, decodeCpu = cpuNow() - c2;
  await ctx.dispose();
  await model.dispose();
  /* prompt: n-1 batched tokens; decode: n single-token evaluations (the last prompt token + n-1 generated) */
  return {load, prompt: (prompt.length - 1) * 1e3 / promptMs, decode: n * 1e3 / decodeMs,
    cpuPrompt: (prompt.length - 1) / promptCpu, cpuDecode: n / decodeCpu};
}

const rows = [];
for (const file of MODELS) {
  const m = await llama.loadModel({modelPath: file});
  const prompt = [...m.tokenize(PROMPT_TEXT, true)];
  await m.dispose();
  const a = {load: [], prompt: [], decode: [], cpuPrompt: [], cpuDecode: []};
  const b = {load: [], prompt: [], decode: [], cpuPrompt: [], cpuDecode: []};
  for (let r = 0; r < RUNS; r++) {
    const x = runMinnow(file, prompt), xc = runMinnowCpu(file, prompt);
    if (xc) { x.cpuPrompt = xc.prompt; x.cpuDecode = xc.decode; }
    const y = await runLlama(file, prompt);
    for (const k of Object.keys(a)) { if (x[k] !== undefined) a[k].push(x[k]); b[k].push(y[k]); }
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
if (rows.every((r) => Number.isFinite(r.a.cpuDecode))) { // bench_decode built (scripts/bench-decode does)
  console.log(`\nthe same by CPU clock (minnow: build/bench/bench_decode; llama.cpp: process CPU time), median of ${RUNS} runs`);
  console.log("| model | minnow decode tok/s (cpu) | llama.cpp decode tok/s (cpu) | ratio | minnow prompt tok/s (cpu) | llama.cpp prompt tok/s (cpu) | ratio |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(`| ${r.file} | ${r.a.cpuDecode.toFixed(1)} | ${r.b.cpuDecode.toFixed(1)} | ${(r.a.cpuDecode / r.b.cpuDecode).toFixed(2)}x | ` +
      `${r.a.cpuPrompt.toFixed(1)} | ${r.b.cpuPrompt.toFixed(1)} | ${(r.a.cpuPrompt / r.b.cpuPrompt).toFixed(2)}x |`);
}
