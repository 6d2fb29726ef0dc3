// The demo page: load a GGUF model with a progress bar, stream generated text
// with tokens/s, and show how text splits into tokens. Everything heavy runs
// in minnow's worker; this file only posts messages and updates the page.
// State for tests and curious users: window.minnowDemo.
//
// Contract: every handler ends in a finally that puts the buttons back, and
// every error (a bad option included) is shown in #error. A model stays
// loaded until another one has loaded: a failed load keeps the previous one.
import * as minnow from '../js/index.js';

const $ = (id) => document.getElementById(id);
const demo = (window.minnowDemo = { model: null, progress: [], generations: 0, lastResult: null, busy: false, loading: false });
const params = new URLSearchParams(location.search);
if (params.get('model')) $('model-url').value = params.get('model');
$('version').textContent = `v${minnow.VERSION}`;

function showError(e, note = '') {
  const msg = e ? (e.status ? `${e.status}: ${e.detail ?? e.message}` : String(e.message ?? e)) : '';
  $('error').textContent = msg && note ? `${msg}\n${note}` : msg;
}
const fmtBytes = (n) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;

// ---- which build this browser gets
try {
  const sel = minnow.selectBuild('auto');
  $('build').textContent = sel.flavour === 'mt'
    ? `wasm/mt · up to ${plural(sel.threads, 'thread')} · cross-origin isolated`
    : `wasm/st · 1 thread · ${crossOriginIsolated ? '' : 'not cross-origin isolated'}`;
} catch (e) {
  $('build').textContent = 'this browser cannot run minnow';
  showError(e);
}

function setBusy(b) { demo.busy = b; document.body.dataset.busy = String(b); }
// The model buttons work when a model is loaded and no load is running.
function syncButtons() {
  const usable = !!demo.model && !demo.loading;
  $('generate').disabled = !usable || !!demo.generation;
  $('tokenize').disabled = !usable;
  $('model-hint').textContent = demo.model ? '' : 'load a model to generate and tokenize';
}
syncButtons();

// ---- load
$('load-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (demo.loading) return;
  showError(null);
  setBusy(true);
  demo.loading = true;
  $('load').disabled = true;
  syncButtons();
  const url = $('model-url').value;
  try {
    demo.progress = [];
    $('progress').value = 0;
    $('progress-text').textContent = 'starting…';
    const t0 = performance.now();
    // the previous model stays until this one is ready
    const model = await minnow.load(url, {
      onProgress: (p) => {
        demo.progress.push(p);
        if (p.phase === 'load') {
          $('progress').max = p.total ?? Math.max(p.loaded, 1);
          $('progress').value = p.loaded;
          $('progress-text').textContent = `${fmtBytes(p.loaded)}${p.total ? ` of ${fmtBytes(p.total)}` : ''}`;
        }
      },
    });
    const old = demo.model;
    demo.model = model;
    if (old) { demo.generation?.abort(); await old.dispose(); }
    const i = model.info;
    $('progress').max = 1; $('progress').value = 1;
    $('progress-text').textContent = `${fmtBytes(i.size)} · ${i.source === 'cache' ? 'from the cache' : `from the ${i.source}`} · ${Math.round(performance.now() - t0)} ms`;
    $('build').textContent = `${i.build.replace('-', '/')} · ${plural(i.threads, 'thread')} · ${crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated'}`;
    const rows = [['id', i.id], ['architecture', i.arch], ['source', i.source], ['cached', String(i.cached)],
      ['tensors', i.tensors], ['vocabulary', i.nVocab], ['context', i.nCtx], ['build', `${i.build}, ${plural(i.threads, 'thread')}, ${i.simd}`]];
    $('model-info').replaceChildren(...rows.filter(([, v]) => v !== undefined).flatMap(([k, v]) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v; dd.id = `info-${k.replace(/\s/g, '-')}`;
      return [dt, dd];
    }));
    document.body.dataset.loaded = i.source;
  } catch (e) {
    $('progress').value = 0;
    $('progress-text').textContent = 'failed';
    showError(e, demo.model ? `The previous model (${demo.model.info.name ?? demo.model.info.id.slice(0, 12)}) is still loaded.` : '');
  } finally {
    demo.loading = false;
    $('load').disabled = false;
    syncButtons();
    setBusy(false);
    document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1);
  }
  if (demo.model) await tokenize();
});

// ---- generate
let controller = null;
$('generate').addEventListener('click', async () => {
  if (!demo.model || demo.generation) return;
  showError(null);
  controller = new AbortController();
  const box = $('output'), out = $('output-text');
  $('output-prompt').textContent = $('prompt').value;
  out.textContent = '';
  $('gen-status').textContent = '';
  $('speed').textContent = '…';
  setBusy(true);
  $('stop').disabled = false;
  box.classList.add('running');
  // generate() never throws: a bad option (say seed -3) rejects the iterator
  const gen = demo.model.generate($('prompt').value, {
    maxTokens: Number($('max-tokens').value), temperature: Number($('temperature').value),
    seed: Number($('seed').value), signal: controller.signal,
  });
  demo.generation = gen;
  syncButtons();
  let first = 0;
  try {
    for await (const piece of gen) {
      if (!first) first = performance.now();
      out.append(piece);
      const s = (performance.now() - first) / 1000;
      if (s > 0.2) $('speed').textContent = `${(gen.tokenCount / s).toFixed(1)} tokens/s`;
    }
    const r = await gen.result;
    demo.lastResult = r;
    $('speed').textContent = `${r.stats.decodeTokensPerSecond.toFixed(1)} tokens/s (${r.stats.generatedTokens} tokens; prompt ${r.stats.promptTokensPerSecond.toFixed(0)} tokens/s)`;
    $('gen-status').textContent = `ended: ${r.reason}`;
  } catch (e) {
    $('speed').textContent = '–';
    if (e?.name === 'AbortError') {
      demo.lastResult = await gen.result.catch(() => null); // reason 'aborted', with what was generated
      $('gen-status').textContent = demo.lastResult ? `stopped after ${plural(demo.lastResult.tokens.length, 'token')}` : 'stopped';
    } else showError(e);
  } finally {
    demo.generation = null;
    demo.generations++;
    box.classList.remove('running');
    $('stop').disabled = true;
    syncButtons();
    document.body.dataset.generations = String(demo.generations);
    setBusy(false);
  }
});
$('stop').addEventListener('click', () => controller?.abort());

// ---- tokenizer view: one coloured span per token, from its offsets.
// Tokens that split one character (SentencePiece byte fallback: 😊 is 4
// tokens, one per UTF-8 byte, each with the character's offsets) are drawn as
// one group: the character once, then one chip per token with its byte,
// <0xF0> as the vocabulary names it.
const hex = (b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
function tokenSpan(k, id) {
  const span = document.createElement('span');
  span.dataset.id = id;
  span.className = `t${k % 6}`;
  return span;
}
async function tokenize() {
  if (!demo.model) { showError(null); $('model-hint').textContent = 'load a model to generate and tokenize'; return; }
  const text = $('tok-input').value;
  try {
    const { ids, offsets, charOffsets } = await demo.model.tokenize(text);
    const bytes = new TextEncoder().encode(text);
    const view = [];
    let at = 0;
    for (let k = 0; k < ids.length;) {
      const a = charOffsets[2 * k];
      let b = charOffsets[2 * k + 1];
      if (a === b) { // a token of no text (BOS)
        const span = tokenSpan(k, ids[k]);
        span.className = 'special';
        span.textContent = ids[k];
        span.title = `id ${ids[k]} (special)`;
        view.push(span);
        k++;
        continue;
      }
      if (a > at) view.push(document.createTextNode(text.slice(at, a)));
      // the run of tokens sharing characters with this one
      let e = k + 1;
      while (e < ids.length && charOffsets[2 * e] < b && charOffsets[2 * e] !== charOffsets[2 * e + 1]) { b = Math.max(b, charOffsets[2 * e + 1]); e++; }
      if (e === k + 1) {
        const span = tokenSpan(k, ids[k]);
        span.textContent = text.slice(a, b);
        span.title = `id ${ids[k]}`;
        view.push(span);
      } else {
        const group = document.createElement('span');
        group.className = `bytes t${k % 6}`;
        const chars = document.createElement('span');
        chars.className = 'chars';
        chars.textContent = text.slice(a, b);
        group.append(chars);
        const names = [];
        // byte fallback gives each of the n tokens the whole character's n bytes
        // (as HF does): then token j is byte j
        const A = offsets[2 * k], B = offsets[2 * k + 1];
        const perByte = B - A === e - k && ids.subarray(k, e).every((_, j) => offsets[2 * (k + j)] === A && offsets[2 * (k + j) + 1] === B);
        for (let j = k; j < e; j++) {
          const chip = document.createElement('span');
          chip.className = 'byte';
          chip.dataset.id = ids[j];
          const [x, y] = perByte ? [A + j - k, A + j - k + 1] : [offsets[2 * j], offsets[2 * j + 1]];
          chip.textContent = Array.from(bytes.subarray(x, y), hex).join('');
          names.push(`${chip.textContent} (id ${ids[j]})`);
          group.append(chip);
        }
        group.title = `${plural(e - k, 'token')} for ${JSON.stringify(text.slice(a, b))}: ${names.join(' ')}`;
        view.push(group);
      }
      at = Math.max(at, b);
      k = e;
    }
    if (at < text.length) view.push(document.createTextNode(text.slice(at)));
    $('tok-view').replaceChildren(...view);
    $('tok-ids').textContent = Array.from(ids).join(' ');
    $('tok-count').textContent = `${plural(ids.length, 'token')}, ${plural(bytes.length, 'byte')}`;
  } catch (e) { showError(e); }
}
$('tokenize').addEventListener('click', tokenize);
let tokTimer = 0;
$('tok-input').addEventListener('input', () => { clearTimeout(tokTimer); tokTimer = setTimeout(() => { if (demo.model) tokenize(); }, 150); });

if (params.has('autoload')) $('load').click();
