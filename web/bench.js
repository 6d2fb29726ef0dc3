// Benchmark page: one engine, one model, one run per call of
// window.bench.run(); scripts/lib/bench-decode-browser.mjs drives it in
// headless Chromium and alternates the engines. Both engines download the
// file from this server (no cache), evaluate the same prompt text batched,
// then decode `tokens` tokens greedily (wllama with `ban`ned ids, see
// runWllama). Times:
//   load    load() call -> ready to generate (download, parse, context)
//   prompt  prompt tokens / prompt evaluation time (each engine's own timer)
//   decode  generated tokens / decode time (each engine's own timer)
//   wall    generated tokens / page time from the first to the last piece
// tokens: 0 measures the load alone (scripts/bench-decode --load-only).
import * as minnow from '../js/index.js';
import { Wllama } from '/node_modules/@wllama/wllama/esm/index.js';

const log = (s) => { document.getElementById('log').textContent += s + '\n'; };

async function runMinnow({ url, prompt, tokens, threads }) {
  const t0 = performance.now();
  const m = await minnow.load(url, { threads, cache: false, contextLength: 512, batchSize: 512 });
  const load = performance.now() - t0;
  try {
    if (!tokens) return { engine: 'minnow', build: m.info.build, load, timings: m.info.timings, text: '' }; // load only
    const gen = m.generate(prompt, { maxTokens: tokens, temperature: 0 });
    let first = 0, last = 0, text = '';
    for await (const piece of gen) { last = performance.now(); if (!first) first = last; text += piece; }
    const r = await gen.result;
    return {
      engine: 'minnow', build: m.info.build, load, timings: m.info.timings, hashedBy: m.info.hashedBy, prompt: r.stats.promptTokensPerSecond, decode: r.stats.decodeTokensPerSecond,
      wall: (r.stats.generatedTokens - 1) * 1000 / Math.max(1e-3, last - first),
      promptTokens: r.stats.promptTokens, generated: r.stats.generatedTokens, text,
    };
  } finally { await m.dispose(); }
}

async function runWllama({ url, prompt, tokens, threads, ban = [] }) {
  const w = new Wllama({ default: '/node_modules/@wllama/wllama/esm/wasm/wllama.wasm' }, { suppressNativeLog: !window.benchVerbose });
  const t0 = performance.now();
  await w.loadModelFromUrl(url, { n_threads: threads, n_ctx: 512, n_batch: 512, n_gpu_layers: 0, useCache: false });
  const load = performance.now() - t0;
  try {
    if (!tokens) return { engine: 'wllama', build: w.isMultithread() ? 'multi-thread' : 'single-thread', load, text: '' }; // load only
    let first = 0, last = 0, text = '', timings = null, n = 0;
    await w.createCompletion({
      prompt, max_tokens: tokens, temperature: 0, stream: true,
      // tokens that are not whole ASCII text are banned: on random weights they
      // can make invalid UTF-8, which llama.cpp's JSON output refuses mid-stream
      logit_bias: Object.fromEntries(ban.map((id) => [String(id), -100])),
      onData: (chunk) => {
        last = performance.now(); if (!first) first = last;
        text += chunk.choices?.[0]?.text ?? '';
        if (chunk.timings) timings = chunk.timings;
        n++;
      },
    });
    return {
      engine: 'wllama', build: w.isMultithread() ? 'multi-thread' : 'single-thread', load,
      prompt: timings?.prompt_per_second, decode: timings?.predicted_per_second,
      wall: (timings?.predicted_n - 1) * 1000 / Math.max(1e-3, last - first),
      promptTokens: timings?.prompt_n, generated: timings?.predicted_n, text,
    };
  } finally { await w.exit(); }
}

// The transfer floor (web/bench-floor.js), timed from the call like a load.
async function runFloor({ url, engine }) {
  const t0 = performance.now();
  const w = new Worker('bench-floor.js');
  try {
    const r = await new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.postMessage({ url, mode: engine.split('-')[1] }); });
    if (r.error) throw new Error(r.error);
    return { engine, build: 'worker fetch', load: performance.now() - t0, fetchMs: r.ms, text: '' };
  } finally { w.terminate(); }
}

window.bench = {
  async run(opts) {
    const r = await (opts.engine === 'minnow' ? runMinnow(opts) : opts.engine.startsWith('floor-') ? runFloor(opts) : runWllama(opts));
    log(JSON.stringify({ ...r, text: r.text.slice(0, 60) }));
    return r;
  },
  ready: true,
};
