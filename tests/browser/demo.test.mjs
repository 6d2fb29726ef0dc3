// The demo page (web/) in Debian's headless Chromium through playwright-core,
// served by scripts/lib/serve.mjs with and without cross-origin isolation
// (node --test tests/browser/). What it shows, for wasm/mt and wasm/st:
//  - the page picks the build the isolation allows and says so;
//  - loading reports monotonic progress up to the file size; a second load of
//    the page loads the model from the Cache API (the server sees no request
//    for the model);
//  - the main thread never instantiates or runs wasm (the CDP sampling
//    profiler sees no wasm frame on it, though it does see one when the test
//    runs wasm there on purpose); long tasks on the main thread are reported.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/lib/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.join(root, 'build', 'browser');
mkdirSync(outDir, { recursive: true });
const modelFile = path.resolve(root, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const modelSize = readFileSync(modelFile).length;
const cli = (args, input) => execFileSync(path.join(root, 'build/native/minnow'), args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'ignore'] });
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Runs in the page before its scripts: count wasm instantiations on the main
// thread and collect long tasks.
function instrument() {
  const calls = (window.__mainWasm = { compile: 0, instantiate: 0 });
  for (const k of ['instantiate', 'instantiateStreaming', 'compile', 'compileStreaming']) {
    const orig = WebAssembly[k];
    WebAssembly[k] = function (...a) { calls[k.startsWith('compile') ? 'compile' : 'instantiate']++; return orig.apply(this, a); };
  }
  for (const k of ['Instance', 'Module']) {
    WebAssembly[k] = new Proxy(WebAssembly[k], {
      construct(t, a) { calls[k === 'Instance' ? 'instantiate' : 'compile']++; return new t(...a); },
    });
  }
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

// A wasm loop, run on the main thread on purpose: the profiler must see it.
const SPIN_WASM = [0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 8, 1, 4, 115, 112, 105, 110, 0, 0,
  10, 35, 1, 33, 1, 1, 127, 2, 64, 3, 64, 32, 0, 69, 13, 1, 32, 0, 65, 1, 107, 33, 0, 32, 1, 65, 3, 106, 33, 1, 12, 0, 11, 11, 32, 1, 11];

// Sample the main thread while fn() runs; return the wasm frames seen.
async function mainThreadWasmFrames(page, fn) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try { await fn(); } finally {
    var { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
  }
  return profile.nodes.filter((n) => n.callFrame.url.startsWith('wasm://') || /\.wasm\b/.test(n.callFrame.url))
    .map((n) => n.callFrame.functionName || n.callFrame.url);
}

let browser;
before(async () => { browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }); });
after(async () => { await browser?.close(); });

for (const isolate of [true, false]) {
  const flavour = isolate ? 'mt' : 'st';
  describe(`demo page, ${isolate ? 'cross-origin isolated (wasm/mt)' : 'not isolated (wasm/st)'}`, () => {
    let server, context, page;
    const requests = [];
    const modelRequests = () => requests.filter((r) => r.path.endsWith('/stories260K.gguf')).length;
    const errors = [];

    before(async () => {
      server = await startServer({ port: 0, isolate, onRequest: (r) => requests.push(r) });
      context = await browser.newContext();
      await context.addInitScript(instrument);
      page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/web/`);
    });
    after(async () => { await context?.close(); await server?.close(); });

    // click Load and wait until the attempt ended (loaded or failed)
    async function loadAttempt() {
      const n = await page.evaluate(() => Number(document.body.dataset.loads ?? 0));
      await page.click('#load');
      await page.waitForFunction((k) => Number(document.body.dataset.loads ?? 0) > k && document.body.dataset.busy === 'false', n, { timeout: 60000 });
    }
    async function loadModel() {
      await loadAttempt();
      assert.equal(await page.textContent('#error'), '');
      return page.evaluate(() => ({ info: window.minnowDemo.model.info, progress: window.minnowDemo.progress }));
    }

    test('the page picks the build isolation allows', async () => {
      assert.equal(await page.evaluate(() => crossOriginIsolated), isolate);
      assert.match(await page.textContent('#build'), new RegExp(`^wasm/${flavour} `));
    });

    test('before a model is loaded: the version in the footer, Generate and Tokenize off with a hint', async () => {
      const version = cli(['version']).trim().replace(/^minnow /, '');
      assert.equal(await page.textContent('#version'), `v${version}`);
      assert.equal(await page.isDisabled('#generate'), true);
      assert.equal(await page.isDisabled('#tokenize'), true);
      assert.match(await page.textContent('#model-hint'), /load a model/);
    });

    test('a failed load with no model before: an error, and the buttons stay off', async () => {
      await page.fill('#model-url', '/shared/nope.gguf');
      await loadAttempt();
      assert.match(await page.textContent('#error'), /^MN_E_IO: HTTP 404/);
      assert.equal(await page.isDisabled('#generate'), true);
      assert.equal(await page.isDisabled('#load'), false);
      await page.fill('#model-url', '/shared/models/stories260K/stories260K.gguf');
    });

    test('load: monotonic progress up to the file size, from the network; no wasm on the main thread', async () => {
      let got;
      const frames = await mainThreadWasmFrames(page, async () => { got = await loadModel(); });
      const { info, progress } = got;
      assert.equal(info.build, `wasm-${flavour}`);
      assert.equal(info.source, 'network');
      assert.equal(info.size, modelSize);
      const loads = progress.filter((p) => p.phase === 'load');
      assert.ok(loads.length >= 2, `${loads.length} progress events`);
      for (let i = 1; i < loads.length; i++) assert.ok(loads[i].loaded > loads[i - 1].loaded, 'strictly increasing');
      assert.equal(loads.at(-1).loaded, modelSize);
      assert.ok(loads.every((p) => p.total === modelSize));
      assert.equal(modelRequests(), 1);
      assert.deepEqual(frames, []);
      assert.deepEqual(await page.evaluate(() => window.__mainWasm), { compile: 0, instantiate: 0 });
    });

    test('a second load of the page is a cache hit: the server sees no request for the model', async () => {
      const before = modelRequests();
      await page.reload();
      const { info } = await loadModel();
      assert.equal(info.source, 'cache');
      assert.equal(modelRequests(), before, 'no request for the model');
      assert.equal(info.id, readFileSync(path.join(root, 'tests/golden/model-ids.txt'), 'utf8').split(/\s+/)[0]);
    });

    async function generate({ prompt = 'Once upon a time', maxTokens, temperature = 0, seed = 1 } = {}) {
      const n = Number(await page.evaluate(() => document.body.dataset.generations ?? 0));
      await page.fill('#prompt', prompt);
      await page.fill('#max-tokens', String(maxTokens));
      await page.fill('#temperature', String(temperature));
      await page.fill('#seed', String(seed));
      await page.click('#generate');
      return n;
    }
    const generated = (n) => page.waitForFunction((k) => Number(document.body.dataset.generations ?? 0) > k, n, { timeout: 120000 });

    test('generate: the text streams into the page, with tokens/s; no wasm on the main thread', async (t) => {
      const tasksBefore = await page.evaluate(() => window.__longTasks.length);
      const t0 = await page.evaluate(() => performance.now());
      const frames = await mainThreadWasmFrames(page, async () => {
        const n = await generate({ maxTokens: 300 });
        // the text arrives piece by piece: seen part-way, then whole
        await page.waitForFunction(() => document.getElementById('output-text').textContent.length > 0, null, { timeout: 60000 });
        await generated(n);
      });
      const t1 = await page.evaluate(() => performance.now());
      const out = await page.textContent('#output-text');
      assert.equal(await page.textContent('#output-prompt'), 'Once upon a time');
      assert.equal(out, cli(['generate', '-m', modelFile, '-n', '300', '--temp', '0', '-p', 'Once upon a time']));
      assert.equal(await page.textContent('#error'), '');
      assert.match(await page.textContent('#speed'), /^[0-9.]+ tokens\/s \(300 tokens/);
      const r = await page.evaluate(() => window.minnowDemo.lastResult);
      assert.equal(r.reason, 'max-tokens');
      assert.deepEqual(frames, [], 'no wasm frame sampled on the main thread during generation');
      assert.deepEqual(await page.evaluate(() => window.__mainWasm), { compile: 0, instantiate: 0 });
      const tasks = (await page.evaluate(() => window.__longTasks)).slice(tasksBefore).filter((x) => x.start >= t0 && x.start <= t1);
      t.diagnostic(`${flavour}: ${r.stats.generatedTokens} tokens at ${r.stats.decodeTokensPerSecond.toFixed(0)} tok/s (decode), ` +
        `${(t1 - t0).toFixed(0)} ms on the page; long tasks on the main thread during generation: ${tasks.length}` +
        (tasks.length ? ` (${tasks.map((x) => x.duration.toFixed(0)).join(', ')} ms)` : ''));
      await page.screenshot({ path: path.join(outDir, `demo-${flavour}.png`), fullPage: true });
    });

    test('Stop ends a generation within 2 tokens of what the page saw; the model generates again', async () => {
      const n = await generate({ maxTokens: 0, temperature: 0.8, seed: 3 });
      await page.waitForFunction(() => window.minnowDemo.generation?.tokenCount >= 20, null, { timeout: 60000, polling: 5 });
      const seen = await page.evaluate(() => { const k = window.minnowDemo.generation.tokenCount; document.getElementById('stop').click(); return k; });
      await generated(n);
      const r = await page.evaluate(() => window.minnowDemo.lastResult);
      assert.equal(r.reason, 'aborted');
      assert.ok(r.tokens.length >= seen && r.tokens.length <= seen + 2, `stopped at ${r.tokens.length}, Stop at ${seen}`);
      assert.match(await page.textContent('#gen-status'), /^stopped after \d+ tokens$/);
      assert.equal(await page.textContent('#error'), '');
      const m = await generate({ maxTokens: 40, temperature: 0.8, seed: 9 });
      await generated(m);
      assert.equal(await page.textContent('#output-text'), cli(['generate', '-m', modelFile, '-n', '40', '--temp', '0.8', '--seed', '9', '-p', 'Once upon a time']));
    });

    test('a bad option (seed -3, 1.5) is shown as an error; the page stays usable', async () => {
      for (const seed of [-3, 1.5]) {
        const n = await generate({ maxTokens: 5, temperature: 0.8, seed });
        await generated(n);
        assert.match(await page.textContent('#error'), /^MN_E_INVALID_ARG: seed must be/);
        assert.equal(await page.isDisabled('#generate'), false);
        assert.equal(await page.evaluate(() => document.body.dataset.busy), 'false');
      }
      const n = await generate({ maxTokens: 5, seed: 1 });
      await generated(n);
      assert.equal(await page.textContent('#error'), '');
      assert.equal(await page.textContent('#output-text'), cli(['generate', '-m', modelFile, '-n', '5', '--temp', '0', '-p', 'Once upon a time']));
    });

    test('a failed load keeps the loaded model working', async () => {
      const id = await page.evaluate(() => window.minnowDemo.model.info.id);
      for (const url of ['/shared/nope.gguf', '/web/demo.css']) {
        await page.fill('#model-url', url);
        await loadAttempt();
        assert.match(await page.textContent('#error'), url.endsWith('.gguf') ? /^MN_E_IO: HTTP 404/ : /^MN_E_GGUF_MAGIC/);
        assert.match(await page.textContent('#error'), /previous model .* is still loaded/);
        assert.equal(await page.evaluate(() => window.minnowDemo.model.info.id), id);
        assert.equal(await page.isDisabled('#generate'), false);
      }
      const n = await generate({ maxTokens: 5, seed: 1 });
      await generated(n);
      assert.equal(await page.textContent('#error'), '');
      assert.equal(await page.textContent('#output-text'), cli(['generate', '-m', modelFile, '-n', '5', '--temp', '0', '-p', 'Once upon a time']));
      await page.fill('#model-url', '/shared/models/stories260K/stories260K.gguf');
    });

    test("the tokenizer view: coloured token boundaries, ids as the CLI's, byte tokens as <0x..> chips", async () => {
      const text = 'Lily saw a big, red ball in the park. She was so happy! 😊';
      const cliIds = cli(['tokenize', '-t', modelFile, '--add-special'], text).trim().split(' ').map(Number);
      await page.fill('#tok-input', text);
      await page.click('#tokenize');
      await page.waitForFunction((k) => document.getElementById('tok-count').textContent.startsWith(`${k} tokens`), cliIds.length, { timeout: 30000 });
      const ids = (await page.textContent('#tok-ids')).split(' ').map(Number);
      assert.deepEqual(ids, cliIds);
      const spans = await page.$$eval('#tok-view [data-id]', (els) => els.map((e) => ({ id: Number(e.dataset.id), text: e.textContent, cls: e.className })));
      assert.deepEqual(spans.map((s) => s.id), ids, 'one element per token, in order');
      // the visible text, without the BOS badge and the byte chips, is the input
      const shown = await page.$eval('#tok-view', (v) => Array.from(v.childNodes, (n) => (n.nodeType === 3 ? n.textContent
        : n.classList.contains('special') ? '' : n.classList.contains('bytes') ? n.querySelector('.chars').textContent : n.textContent)).join(''));
      assert.equal(shown, text, 'the spans cover the text');
      assert.ok(new Set(spans.slice(1, 7).map((s) => s.cls)).size === 6, 'neighbours differ in colour');
      // 😊 is 4 byte-fallback tokens: one group showing the emoji once and its 4 bytes
      const groups = await page.$$eval('#tok-view .bytes', (els) => els.map((e) => ({
        chars: e.querySelector('.chars').textContent, chips: Array.from(e.querySelectorAll('.byte'), (c) => c.textContent), title: e.title })));
      assert.equal(groups.length, 1);
      assert.deepEqual(groups[0].chips, ['<0xF0>', '<0x9F>', '<0x98>', '<0x8A>']);
      assert.equal(groups[0].chars, '😊');
      assert.match(groups[0].title, /^4 tokens for "😊"/);
    });

    test('the profiler does see wasm run on the main thread (the check can fail)', async () => {
      const frames = await mainThreadWasmFrames(page, () => page.evaluate(async (bytes) => {
        const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));
        const t = performance.now();
        while (performance.now() - t < 300) instance.exports.spin(1e6);
      }, SPIN_WASM));
      assert.ok(frames.includes('spin') || frames.length > 0, 'wasm frames seen');
      assert.equal(errors.length, 0, errors.join('\n'));
    });
  });
}
