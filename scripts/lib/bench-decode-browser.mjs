// The browser half of scripts/bench-decode: minnow-wasm against wllama
// (llama.cpp in wasm, @wllama/wllama from node_modules, served locally) in
// Debian's headless Chromium, on a cross-origin isolated page, the same GGUF
// files, the same prompt text, greedy decoding of the same token count.
//
//   node scripts/lib/bench-decode-browser.mjs [--runs N] [--tokens N] [--models a.gguf,b.gguf] [--threads N]
//
// --tokens 0 measures the load alone: a table of load times (median, range,
// each run's wllama / minnow ratio) and the median of each of minnow's
// info.timings parts. With --floor 1 each run also times the transfer floor
// (web/bench-floor.js: a worker receiving the file and dropping it, and
// receiving it into fresh wasm memory), alternating with the engines.
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
const ENGINES = ['minnow', 'wllama', ...(Number(args.floor ?? 0) && !Number(args.tokens ?? 128) ? ['floor-read', 'floor-copy'] : [])];
const MODELS = (args.models ?? path.resolve(root, '..', 'shared/models/stories260K/stories260K.gguf')).split(',').filter(Boolean);
const PROMPT_TEXT = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ' +
  'One day, she saw a big, red ball. She wanted to play with it, but it was too high. Lily\'s mom said, ' +
  '"Let\'s go to the park and find a stick."';
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
          const res = await page.evaluate((o) => window.bench.run(o),
            { engine, url: modelUrl(i), prompt: PROMPT_TEXT, tokens: TOKENS, threads: THREADS, ban });
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
  for (const r of rows) for (const [e, m, all] of r.floors) console.log(`${r.file}: ${e} ${f(m, 0)} ms (${all.map((x) => f(x, 0)).join(' ')})`);
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
