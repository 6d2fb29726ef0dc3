// The browser half of scripts/bench-decode: minnow-wasm against wllama
// (llama.cpp in wasm, @wllama/wllama from node_modules, served locally) in
// Debian's headless Chromium, on a cross-origin isolated page, the same GGUF
// files, the same prompt text, greedy decoding of the same token count.
//
//   node scripts/lib/bench-decode-browser.mjs [--runs N] [--tokens N] [--models a.gguf,b.gguf] [--threads N]
//     [--settle ms] [--floor 1] [--ranges 1,2,4]
//
// --tokens 0 measures the load alone: a table of load times (median, range,
// each run's wllama / minnow ratio) and the median of each of minnow's
// info.timings parts. With --floor 1 each run also times the transfer floor
// (web/bench-floor.js: a worker receiving the file and dropping it, and
// receiving it into fresh wasm memory), alternating with the engines.
// With --ranges 1,2,4 (and --tokens 0) each run also times a worker receiving
// the file into fresh shared wasm memory as that many concurrent Range
// requests (1: one plain GET), each part written at its offset: whether
// parallel streams deliver the bytes faster than one.
//
// Per run the engines alternate (minnow first, then wllama), each loading the
// model fresh from the local server (no cache). web/bench.js measures:
//   load    load call -> ready to generate (download from localhost, parse, context)
//   prompt  prompt tok/s, each engine's own timer (minnow mn_gen_stats, llama.cpp timings)
//   decode  generated tok/s, each engine's own timer
//   wall    generated tok/s seen by the page (first to last piece)
// wllama runs with a logit bias banning every token whose text is not ASCII
// (found with minnow's detokenize): on random-weight models such tokens make
// invalid UTF-8, which llama.cpp's JSON output refuses in the middle of a
// stream. Which tokens are picked does not change the cost of a token.
// Prints a markdown table of medians with minnow / wllama ratios.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import * as minnow from 'minnow'; // the checkout refers to itself (package.json exports)
import { benchArgs, median } from './bench-util.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = benchArgs();
const RUNS = Number(args.runs ?? 3), TOKENS = Number(args.tokens ?? 128), THREADS = Number(args.threads ?? 1);
// ms of idle page before each engine's run: the previous engine's teardown
// must not overlap the next load. After wllama's exit() Chromium burns
// ~0.5 s of CPU within the next second (after minnow's dispose(): 0-0.09 s),
// which made the next load's worker start 30 -> 90 ms late.
const SETTLE = Number(args.settle ?? 2000);
const ENGINES = ['minnow', 'wllama', ...(Number(args.floor ?? 0) && !Number(args.tokens ?? 128) ? ['floor-read', 'floor-copy'] : []),
  ...(args.ranges && !Number(args.tokens ?? 128) ? String(args.ranges).split(',').map((n) => `ranges-${Number(n)}`) : [])];
const MODELS = (args.models ?? path.resolve(root, '..', 'shared/models/stories260K/stories260K.gguf')).split(',').filter(Boolean);
const PROMPT_TEXT = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ' +
  'One day, she saw a big, red ball. She wanted to play with it, but it was too high. Lily\'s mom said, ' +
  '"Let\'s go to the park and find a stick."';
// --ranges: the worker (from a Blob URL) and its run, timed from the call like a load
const RANGES_WORKER = `self.onmessage = async ({ data: { url, parts } }) => {
  try {
    const t0 = performance.now();
    const head = await fetch(url, { method: 'HEAD', credentials: 'same-origin' });
    const size = Number(head.headers.get('content-length'));
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    mem.grow(Math.ceil(size / 65536));
    const dst = new Uint8Array(mem.buffer);
    const step = Math.ceil(size / parts);
    const part = async (a, b) => { // [a, b)
      const resp = await fetch(url, { credentials: 'same-origin', headers: parts > 1 ? { Range: 'bytes=' + a + '-' + (b - 1) } : {} });
      if (parts > 1 && resp.status !== 206) throw new Error('HTTP ' + resp.status + ' to a range request');
      const reader = resp.body.getReader({ mode: 'byob' });
      let buf = new ArrayBuffer(1 << 20), n = 0;
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buf));
        if (done) break;
        dst.set(value, a + n);
        n += value.length;
        buf = value.buffer;
      }
      return n;
    };
    const got = await Promise.all(Array.from({ length: parts }, (_, i) => part(i * step, Math.min(size, (i + 1) * step))));
    const bytes = got.reduce((x, y) => x + y, 0);
    if (bytes !== size) throw new Error('received ' + bytes + ' of ' + size + ' bytes');
    self.postMessage({ ms: performance.now() - t0, bytes });
  } catch (e) { self.postMessage({ error: String(e?.message ?? e) }); }
};`;
const runRanges = (page, o) => page.evaluate(({ code, url, parts, engine }) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  w.onmessage = ({ data: r }) => {
    w.terminate();
    if (r.error) reject(new Error(r.error));
    else resolve({ engine, build: 'worker fetch', load: performance.now() - t0, fetchMs: r.ms, text: '' });
  };
  w.postMessage({ url: new URL(url, location.href).href, parts }); // (a blob: worker has no base URL)
}), { code: RANGES_WORKER, url: o.url, parts: Number(o.engine.split('-')[1]), engine: o.engine });

async function nonAsciiTokens(file) {
  const m = await minnow.load(file, { threads: 1 });
  try {
    const texts = await Promise.all(Array.from({ length: m.info.nVocab }, (_, id) => m.detokenize([id])));
    return texts.flatMap((s, id) => (/[^\x00-\x7f]/.test(s) ? [id] : []));
  } finally { await m.dispose(); }
}

// each model file is served as /bench-models/<i>/<name>
const modelUrl = (i) => `/bench-models/${i}/${path.basename(MODELS[i])}`;
// (the models are sent from memory: fewer server CPU cycles taken from the browser, whichever engine loads)
const server = await startServer({ port: 0, isolate: true, filesInMemory: true, files: Object.fromEntries(MODELS.map((m, i) => [modelUrl(i), path.resolve(m)])) });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const rows = [];
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  if (process.env.BENCH_CONSOLE) page.on('console', (m) => console.error('console:', m.text()));
  await page.goto(`${server.url}/web/bench.html`);
  await page.waitForFunction(() => window.bench?.ready === true, null, { timeout: 30000 });
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated');
  for (let i = 0; i < MODELS.length; i++) {
    const got = Object.fromEntries(ENGINES.map((e) => [e, []]));
    const ban = TOKENS ? await nonAsciiTokens(MODELS[i]) : [];
    for (let r = 0; r < RUNS; r++) {
      for (const engine of ENGINES) {
        try {
          if (SETTLE) await new Promise((r) => setTimeout(r, SETTLE));
          const o = { engine, url: modelUrl(i), prompt: PROMPT_TEXT, tokens: TOKENS, threads: THREADS, ban };
          const res = engine.startsWith('ranges-') ? await runRanges(page, o) : await page.evaluate((o) => window.bench.run(o), o);
          got[engine].push(res);
          console.error(`${path.basename(MODELS[i])} run ${r + 1} ${engine}: decode ${res.decode?.toFixed(1)} tok/s, ` +
            `prompt ${res.prompt?.toFixed(1)} tok/s, load ${res.load.toFixed(0)} ms` +
            (res.timings ? ` (${Object.entries(res.timings).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})` : ''));
        } catch (e) {
          console.error(`${path.basename(MODELS[i])} run ${r + 1} ${engine} failed: ${e.message.split('\n')[0]}`);
          got[engine].push({ error: e.message.split('\n')[0] });
          await page.reload(); // a failed engine may leave its worker behind
          await page.waitForFunction(() => window.bench?.ready === true, null, { timeout: 30000 });
        }
      }
    }
    const med = (e, k) => median(got[e].map((x) => x[k]));
    const ok = (e) => got[e].find((x) => !x.error) ?? { text: null, error: got[e][0]?.error };
    const same = ok('minnow').text !== null && ok('minnow').text === ok('wllama').text;
    rows.push({
      file: path.basename(MODELS[i]), build: ok('minnow').build, wbuild: ok('wllama').build,
      errors: ENGINES.filter((e) => got[e].some((x) => x.error)).map((e) => `${e}: ${got[e].find((x) => x.error).error}`),
      loads: ['minnow', 'wllama'].map((e) => got[e].map((x) => x.load)),
      floors: ENGINES.slice(2).map((e) => [e, median(got[e].map((x) => x.load)), got[e].map((x) => x.load)]),
      timings: Object.fromEntries(Object.keys(ok('minnow').timings ?? {}).map((k) => [k, median(got.minnow.map((x) => x.timings?.[k]))])),
      promptTokens: `${ok('minnow').promptTokens ?? '-'}/${ok('wllama').promptTokens ?? '-'}`, same,
      ...Object.fromEntries(['load', 'prompt', 'decode', 'wall'].flatMap((k) => [[`m_${k}`, med('minnow', k)], [`w_${k}`, med('wllama', k)]])),
    });
  }
} finally {
  await browser.close();
  await server.close();
}

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
if (!TOKENS) {
  console.log(`\nbrowser load (headless Chromium, cross-origin isolated), ${THREADS} thread${THREADS > 1 ? 's' : ''}, median of ${RUNS} runs; ` +
    `minnow ${rows[0]?.build}, wllama ${rows[0]?.wbuild}`);
  console.log('| model | minnow load ms (min-max) | wllama load ms (min-max) | ratio of medians | ratio per run (wllama / minnow) |');
  console.log('|---|---:|---:|---:|---|');
  const range = (xs) => `${f(Math.min(...xs), 0)}-${f(Math.max(...xs), 0)}`;
  for (const r of rows) {
    const [m, w] = r.loads;
    console.log(`| ${r.file} | ${f(r.m_load, 0)} (${range(m)}) | ${f(r.w_load, 0)} (${range(w)}) | ${f(r.w_load / r.m_load, 2)}x | ` +
      `${m.map((x, k) => `${f(w[k] / x, 2)}x`).join(' ')} |`);
  }
  for (const r of rows) console.log(`\n${r.file}: minnow timings (medians, ms): ${Object.entries(r.timings).map(([k, v]) => `${k} ${f(v, 0)}`).join(', ')}`);
  for (const r of rows) {
    const one = r.floors.find(([e]) => e === 'ranges-1')?.[1];
    for (const [e, m, all] of r.floors) {
      console.log(`${r.file}: ${e} ${f(m, 0)} ms (${all.map((x) => f(x, 0)).join(' ')})` +
        (e.startsWith('ranges-') && one ? `, ${f(one / m, 2)}x the speed of one stream` : ''));
    }
  }
  for (const r of rows) for (const e of r.errors) console.log(`\n${r.file}: ${e}`);
  process.exit(0);
}
console.log(`\nbrowser (headless Chromium ${browser.version?.() ?? ''}, cross-origin isolated), ${THREADS} thread${THREADS > 1 ? 's' : ''}, ` +
  `${TOKENS} tokens greedy after the same prompt text, median of ${RUNS} runs; minnow ${rows[0]?.build}, wllama ${rows[0]?.wbuild}`);
console.log('| model | prompt tokens (minnow/wllama) | same text | minnow decode tok/s | wllama decode tok/s | ratio | minnow prompt tok/s | wllama prompt tok/s | ratio | minnow wall tok/s | wllama wall tok/s | ratio | minnow load ms | wllama load ms | ratio (wllama / minnow) |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.file} | ${r.promptTokens} | ${r.same ? 'yes' : 'no'} | ${f(r.m_decode)} | ${f(r.w_decode)} | ${f(r.m_decode / r.w_decode, 2)}x | ` +
    `${f(r.m_prompt)} | ${f(r.w_prompt)} | ${f(r.m_prompt / r.w_prompt, 2)}x | ${f(r.m_wall)} | ${f(r.w_wall)} | ${f(r.m_wall / r.w_wall, 2)}x | ` +
    `${f(r.m_load)} | ${f(r.w_load)} | ${f(r.w_load / r.m_load, 2)}x |`);
}
for (const r of rows) for (const e of r.errors) console.log(`\n${r.file}: ${e}`);
