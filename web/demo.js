// The demo page: load a GGUF model with a progress bar, stream generated text
// with tokens/s, and show how text splits into tokens. Everything heavy runs
// in minnow's worker; this file only posts messages and updates the page.
// State for tests and curious users: window.minnowDemo.
import * as minnow from '../js/index.js';

const $ = (id) => document.getElementById(id);
const demo = (window.minnowDemo = { model: null, progress: [], generations: 0, lastResult: null, busy: false });
const params = new URLSearchParams(location.search);
if (params.get('model')) $('model-url').value = params.get('model');

function showError(e) {
  $('error').textContent = e ? (e.status ? `${e.status}: ${e.detail ?? e.message}` : String(e.message ?? e)) : '';
}
const fmtBytes = (n) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

// ---- which build this browser gets
try {
  const sel = minnow.selectBuild('auto');
  $('build').textContent = sel.flavour === 'mt'
    ? `wasm/mt · ${sel.threads} threads · cross-origin isolated`
    : `wasm/st · 1 thread · ${crossOriginIsolated ? '' : 'not cross-origin isolated'}`;
} catch (e) {
  $('build').textContent = 'this browser cannot run minnow';
  showError(e);
}

// ---- load
$('load-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(null);
  setBusy(true);
  $('load').disabled = true;
  try {
    if (demo.model) { await demo.model.dispose(); demo.model = null; }
    demo.progress = [];
    $('model-info').replaceChildren();
    $('progress').value = 0;
    const t0 = performance.now();
    const model = await minnow.load($('model-url').value, {
      onProgress: (p) => {
        demo.progress.push(p);
        if (p.phase === 'load') {
          $('progress').max = p.total ?? Math.max(p.loaded, 1);
          $('progress').value = p.loaded;
          $('progress-text').textContent = `${fmtBytes(p.loaded)}${p.total ? ` of ${fmtBytes(p.total)}` : ''}`;
        } else {
          $('progress-text').textContent = `saving to the cache: ${fmtBytes(p.loaded)}`;
        }
      },
    });
    demo.model = model;
    const i = model.info;
    $('progress').max = 1; $('progress').value = 1;
    $('progress-text').textContent = `${fmtBytes(i.size)} · ${i.source === 'cache' ? 'from the cache' : `from the ${i.source}`} · ${Math.round(performance.now() - t0)} ms`;
    $('build').textContent = `${i.build.replace('-', '/')} · ${i.threads} thread${i.threads > 1 ? 's' : ''} · ${crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated'}`;
    $('version').textContent = `v${i.version}`;
    const rows = [['id', i.id], ['architecture', i.arch], ['source', i.source], ['cached', String(i.cached)],
      ['tensors', i.tensors], ['vocabulary', i.nVocab], ['context', i.nCtx], ['build', `${i.build}, ${i.threads} thread${i.threads > 1 ? "s" : ""}, ${i.simd}`]];
    $('model-info').replaceChildren(...rows.filter(([, v]) => v !== undefined).flatMap(([k, v]) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v; dd.id = `info-${k.replace(/\s/g, '-')}`;
      return [dt, dd];
    }));
    $('generate').disabled = false;
    $('tokenize').disabled = false;
    document.body.dataset.loaded = i.source;
    await tokenize();
  } catch (e) {
    $('progress-text').textContent = 'failed';
    showError(e);
  } finally {
    $('load').disabled = false;
    setBusy(false);
  }
});

function setBusy(b) { demo.busy = b; document.body.dataset.busy = String(b); }

// ---- generate
let controller = null;
$('generate').addEventListener('click', async () => {
  if (!demo.model) return;
  showError(null);
  controller = new AbortController();
  $('generate').disabled = true;
  $('stop').disabled = false;
  const box = $('output'), out = $('output-text');
  $('output-prompt').textContent = $('prompt').value;
  out.textContent = '';
  box.classList.add('running');
  $('gen-status').textContent = '';
  $('speed').textContent = '…';
  setBusy(true);
  const gen = demo.model.generate($('prompt').value, {
    maxTokens: Number($('max-tokens').value), temperature: Number($('temperature').value),
    seed: Number($('seed').value), signal: controller.signal,
  });
  demo.generation = gen;
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
    if (e.name === 'AbortError') {
      demo.lastResult = await gen.result; // reason 'aborted', with what was generated
      $('gen-status').textContent = `stopped after ${demo.lastResult.tokens.length} tokens`;
    } else showError(e);
  } finally {
    demo.generations++;
    box.classList.remove('running');
    $('generate').disabled = false;
    $('stop').disabled = true;
    document.body.dataset.generations = String(demo.generations);
    setBusy(false);
  }
});
$('stop').addEventListener('click', () => controller?.abort());

// ---- tokenizer view: one coloured span per token, from its offsets
async function tokenize() {
  if (!demo.model) return;
  const text = $('tok-input').value;
  try {
    const { ids, charOffsets } = await demo.model.tokenize(text);
    const view = [];
    let at = 0;
    for (let k = 0; k < ids.length; k++) {
      const a = charOffsets[2 * k], b = charOffsets[2 * k + 1];
      const span = document.createElement('span');
      span.title = `id ${ids[k]}`;
      span.dataset.id = ids[k];
      if (a === b) { // a token of no text (BOS, or a prepended ▁)
        span.className = 'special';
        span.textContent = ids[k];
      } else if (a < at) { // another byte of a character already shown (byte-fallback tokens)
        span.className = `t${k % 6} cont`;
        span.title += ' (a byte of the same character)';
      } else {
        if (a > at) view.push(document.createTextNode(text.slice(at, a)));
        span.className = `t${k % 6}`;
        span.textContent = text.slice(a, b);
        at = Math.max(at, b);
      }
      view.push(span);
    }
    if (at < text.length) view.push(document.createTextNode(text.slice(at)));
    $('tok-view').replaceChildren(...view);
    $('tok-ids').textContent = Array.from(ids).join(' ');
    $('tok-count').textContent = `${ids.length} tokens, ${new TextEncoder().encode(text).length} bytes`;
  } catch (e) { showError(e); }
}
$('tokenize').addEventListener('click', tokenize);
let tokTimer = 0;
$('tok-input').addEventListener('input', () => { clearTimeout(tokTimer); tokTimer = setTimeout(tokenize, 150); });

if (params.has('autoload')) $('load').click();
