// The wasm-vs-native half of scripts/bench-decode (--wasm): the same minnow
// CLI built natively (build/native/minnow) and with Emscripten (wasm/st, run
// by Node: scripts/minnow-wasm), 1 thread, the same GGUF files, prompt text
// and token count, greedy. Runs alternate between the two; medians reported.
// This is issue 5's "wasm decode >= 0.6x minnow native" on one machine in one
// run; the browser half measures the same wasm inside Chromium against wllama.
//
// Each figure is the CLI's own last stderr line ("prompt: X tok/s, decode: Y
// tok/s": evaluation only, model load excluded). A second table times the
// forward pass alone by CPU clock (tests/bench/bench_decode built natively
// and as wasm/st by scripts/bench-decode: the thread's CPU clock / Node's
// process.cpuUsage()), the steadier figure on a shared machine: medians of
// the per-run rates and of the per-pair ratios.
import {spawnSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {benchArgs, median} from "./bench-util.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = benchArgs();
const RUNS = Number(args.runs ?? 3), TOKENS = Number(args.tokens ?? 128);
const MODELS = (args.models ?? "").split(",").filter(Boolean);
const PROMPT = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. " +
  "One day, she saw a big, red ball. She wanted to play with it, but it was too high.";

const ENGINES = {
  native: [path.join(root, "build/native/minnow")],
  wasm: [process.execPath, path.join(root, "build/wasm/st/minnow-cli.js")],
};

function run(engine, file) {
  const [cmd, ...pre] = ENGINES[engine];
  const r = spawnSync(cmd, [...pre, "generate", "-m", file, "-p", PROMPT, "-n", String(TOKENS), "--temp", "0",
    "--threads", "1", "--ctx", "512"], {stdio: ["ignore", "pipe", "pipe"], encoding: "utf8"});
  if (r.status !== 0) throw new Error(`${engine} minnow generate failed: ${r.stderr}`);
  const m = /prompt: ([0-9.]+) tok\/s, decode: ([0-9.]+) tok\/s\s*$/.exec(r.stderr);
  if (!m) throw new Error(`${engine}: no speed line in: ${r.stderr}`);
  return {prompt: Number(m[1]), decode: Number(m[2]), text: r.stdout};
}

console.log(`\nminnow wasm/st (Node ${process.version}) vs minnow native, 1 thread, ${TOKENS} greedy tokens, medians of ${RUNS}:\n`);
console.log("| model | native decode tok/s | wasm decode tok/s | wasm / native | native prompt tok/s | wasm prompt tok/s | wasm / native | same text |");
console.log("|---|---:|---:|---:|---:|---:|---:|---|");
for (const file of MODELS) {
  const res = {native: [], wasm: []};
  let same = true;
  for (let i = 0; i < RUNS; i++) {
    const n = run("native", file), w = run("wasm", file);
    res.native.push(n); res.wasm.push(w);
    same &&= n.text === w.text;
  }
  const med = (e, k) => median(res[e].map((r) => r[k]));
  const f = (x) => x.toFixed(1);
  console.log(`| ${path.basename(file, ".gguf")} | ${f(med("native", "decode"))} | ${f(med("wasm", "decode"))} | ` +
    `${(med("wasm", "decode") / med("native", "decode")).toFixed(2)}x | ${f(med("native", "prompt"))} | ${f(med("wasm", "prompt"))} | ` +
    `${(med("wasm", "prompt") / med("native", "prompt")).toFixed(2)}x | ${same ? "yes" : "no"} |`);
}

const BENCH = {
  native: [path.join(root, "build/bench/bench_decode")],
  wasm: [process.execPath, path.join(root, "build/bench/bench_decode.js")],
};
function runCpu(engine, file) {
  const [cmd, ...pre] = BENCH[engine];
  const r = spawnSync(cmd, [...pre, file, "--prompt", "63", "--tokens", String(TOKENS), "--reps", "1"],
    {stdio: ["ignore", "pipe", "pipe"], encoding: "utf8"});
  if (r.status !== 0) throw new Error(`${engine} bench_decode failed: ${r.stderr}`);
  const cpu = (what) => Number(new RegExp(`${what} tok/s: .*cpu median ([0-9.]+)`).exec(r.stdout)[1]);
  const hash = /hash\S* ([0-9a-f]+)/i.exec(r.stdout)?.[1];
  return {prompt: cpu("prompt"), decode: cpu("decode"), hash};
}
if (fs.existsSync(BENCH.native[0]) && fs.existsSync(BENCH.wasm[1])) {
  console.log(`\nthe forward pass alone by CPU clock (build/bench/bench_decode, native and wasm/st), 63 prompt tokens, ${TOKENS} decoded, medians of ${RUNS}:\n`);
  console.log("| model | native decode tok/s (cpu) | wasm decode tok/s (cpu) | wasm / native | native prompt tok/s (cpu) | wasm prompt tok/s (cpu) | wasm / native | same logits |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const file of MODELS) {
    const n = [], w = [];
    for (let i = 0; i < RUNS; i++) { n.push(runCpu("native", file)); w.push(runCpu("wasm", file)); }
    const med = (rs, k) => median(rs.map((r) => r[k]));
    const ratio = (k) => median(n.map((r, i) => w[i][k] / r[k]));
    const same = n.every((r, i) => r.hash && r.hash === w[i].hash);
    const f = (x) => x.toFixed(1);
    console.log(`| ${path.basename(file, ".gguf")} | ${f(med(n, "decode"))} | ${f(med(w, "decode"))} | ${ratio("decode").toFixed(2)}x | ` +
      `${f(med(n, "prompt"))} | ${f(med(w, "prompt"))} | ${ratio("prompt").toFixed(2)}x | ${same ? "yes" : "no"} |`);
  }
}
