// minnow: the ES module entry point (Node >= 18.19 and browsers).
//
//   const model = await minnow.load(source, { threads, onProgress, signal, expectedId });
//   for await (const piece of model.generate('Once upon a time', { maxTokens: 64 })) ...
//   const { ids, offsets } = await model.tokenize('Hello');
//   await model.dispose();
//
// Contract:
//  - Each model gets a dedicated worker owning its own wasm instance (Node:
//    worker_threads; browser: a Web Worker, plus the pthread workers of
//    wasm/mt). Nothing here calls wasm: the caller's thread only posts messages.
//  - The build is chosen at load: SIMD128 is required (a MinnowError says so
//    when absent); wasm/mt when threads are usable (Node; a cross-origin
//    isolated page), else wasm/st. model.info.build says which, and
//    model.info.buildReason why st was picked.
//  - Errors from C arrive as MinnowError (code, status name, C message);
//    aborts reject with the signal's reason (an AbortError by default).
//  - Sizes and pointers in wasm are unsigned 32-bit, 64-bit values cross as
//    doubles: nothing is read through a signed i32.
//  - A Node process does not stay alive because of an idle model; dispose()
//    frees it (and its wasm memory, with the worker) at once.
import { selectBuild, MinnowError, mnError, THREADS_MAX, abortError, streamChunks } from './core.js';
import { loadOptions, generateOptions, tokenizeOptions, detokenizeOptions, tokenIds } from './options.js';

export { loadCore, Core, MinnowError, simdSupported, threadsUsable, selectBuild, autoThreads, AUTO_BYTES_PER_THREAD, THREADS_MAX } from './core.js';

/** minnow's version (= package.json's, = the C core's mn_version()). */
export const VERSION = '0.1.0';

const isNode = typeof process === 'object' && !!process.versions?.node;
const PUSH_CHUNK = 1 << 20;     // bytes per message when the caller's thread pushes a source
const PUSH_WINDOW = 16 << 20;   // most bytes in flight to the worker

function reviveError(e) {
  if (e.kind === 'minnow') return new MinnowError(e.code, e.status, e.message);
  if (e.kind === 'abort') return abortError();
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

// ------------------------------------------------------------ worker handle
class WorkerHandle {
  // The worker is created, not waited for: requests may be posted at once
  // (they wait in the worker until it listens, js/worker-boot.js), so a
  // load's request goes out while the worker's scripts are still loading.
  static async spawn() {
    const h = new WorkerHandle();
    await h.#start();
    return h;
  }
  /** when the worker said it listens (performance.now()), or undefined before */
  readyAt;

  #w = null;
  #next = 1;
  #pending = new Map(); // id -> { resolve, reject, onEvent }
  #acks = new Map();    // push stream id -> fn(bytes)
  #dead = null;         // the error once the worker is gone
  #ready = null;
  #starting = true;
  #closedResolve = null;
  /** gets the worker's messages that answer no request (m.type: 'module', 'cache-progress', 'cache-done') */
  onUntargeted = null;
  /** resolves once the worker is gone (terminated or died) */
  closed = new Promise((r) => { this.#closedResolve = r; });

  async #start() {
    let readyResolve, readyReject;
    this.#ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    const onMessage = (m) => {
      if (m.type === 'ready') { this.readyAt = now(); return readyResolve(); }
      if (m.type === 'boot-error') return onDeath(new Error(`minnow worker failed to start: ${m.message}`));
      if (m.type === 'ack') return this.#acks.get(m.stream)?.(m.bytes);
      if (m.id === undefined) return this.onUntargeted?.(m);
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.type) { p.onEvent?.(m); return; }
      this.#pending.delete(m.id);
      this.#refresh();
      if (m.ok) p.resolve(m.result); else p.reject(reviveError(m.error));
    };
    const onDeath = (err) => {
      this.#dead = err;
      this.#closedResolve();
      readyReject(err);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      this.#refresh();
    };
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { minnowWorker: true } });
      w.on('message', onMessage);
      w.on('error', (e) => onDeath(e));
      w.on('exit', (code) => onDeath(this.#dead ?? mnError('MN_E_STATE', `the minnow worker exited (code ${code})`)));
      this.#w = w;
    } else {
      const w = new Worker(new URL('./worker-boot.js', import.meta.url));
      w.onmessage = (e) => onMessage(e.data);
      w.onerror = (e) => { e.preventDefault?.(); onDeath(new Error(`minnow worker error: ${e.message ?? 'failed to load'}`)); };
      this.#w = w;
    }
    this.#refresh();
    this.#ready.then(() => {}, () => {}).finally(() => { this.#starting = false; this.#refresh(); });
  }

  // Node: keep the process alive only while a call is pending.
  #refresh() {
    if (!isNode || !this.#w) return;
    if (this.#pending.size || this.#starting) this.#w.ref(); else this.#w.unref();
  }

  get alive() { return this.#dead === null && this.#w !== null; }

  call(op, args = {}, { onEvent, transfer } = {}) {
    if (!this.alive) return Promise.reject(this.#dead ?? mnError('MN_E_STATE', 'the model was disposed'));
    const id = this.#next++;
    const p = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject, onEvent }));
    this.#refresh();
    this.post({ ...args, id, op }, transfer);
    return Object.assign(p, { id });
  }

  post(msg, transfer = []) { if (this.alive) this.#w.postMessage(msg, transfer); }
  // Abort request `target`: at once through shared memory when there is some
  // (the worker checks it before every token), and by a message always.
  abort(target) {
    if (this.abortFlag) Atomics.store(this.abortFlag, 0, target);
    this.post({ type: 'abort', target });
  }
  abortFlag = typeof SharedArrayBuffer === 'function' && (isNode || globalThis.crossOriginIsolated === true)
    ? new Int32Array(new SharedArrayBuffer(4)) : null;
  onAck(stream, fn) { if (fn) this.#acks.set(stream, fn); else this.#acks.delete(stream); }

  terminate(reason) {
    if (!this.#w) return Promise.resolve();
    const w = this.#w;
    const err = reason ?? mnError('MN_E_STATE', 'the model was disposed');
    this.#dead = this.#dead ?? err;
    this.#closedResolve();
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#w = null;
    return Promise.resolve(w.terminate()).then(() => {});
  }
}

// ------------------------------------------------------------ sources
// What the worker gets for a source, and (for sources the caller's thread
// must read) a pump that pushes its chunks.
async function describeSource(source) {
  if (typeof source === 'string' || source instanceof URL) {
    const s = String(source);
    if (isNode) {
      if (/^(https?|data):/i.test(s)) return { source: { kind: 'url', url: s } };
      const { fileURLToPath } = await import('node:url');
      const path = await import('node:path');
      return { source: { kind: 'path', path: /^file:/i.test(s) ? fileURLToPath(s) : path.resolve(s) } };
    }
    const base = globalThis.document?.baseURI ?? globalThis.location?.href;
    return { source: { kind: 'url', url: new URL(s, base).href } };
  }
  if (typeof Blob === 'function' && source instanceof Blob) return { source: { kind: 'blob', blob: source } };
  if (typeof Response === 'function' && source instanceof Response) {
    if (!source.ok) throw mnError('MN_E_IO', `HTTP ${source.status} ${source.statusText} for ${source.url || 'the response'}`);
    if (!source.body) throw mnError('MN_E_INVALID_ARG', 'the Response has no body');
    const enc = source.headers.get('content-encoding');
    const len = source.headers.get('content-length');
    const size = len !== null && (!enc || enc === 'identity') ? Number(len) : null;
    return push({ size, origin: 'network', url: source.url || undefined }, (onCancel) => streamChunks(source.body, onCancel));
  }
  if (typeof ReadableStream === 'function' && source instanceof ReadableStream) {
    return push({ size: null, origin: 'memory' }, (onCancel) => streamChunks(source, onCancel));
  }
  if (source instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && source instanceof SharedArrayBuffer) || ArrayBuffer.isView(source)) {
    const u8 = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
    return push({ size: u8.length, origin: 'memory' }, function* () {
      for (let o = 0; o < u8.length; o += PUSH_CHUNK) yield u8.slice(o, Math.min(u8.length, o + PUSH_CHUNK));
    });
  }
  throw mnError('MN_E_INVALID_ARG', 'load(source): expected a URL or path string, URL, Response, Blob/File, ArrayBuffer, typed array or ReadableStream');
}

let streamIds = 0;
function push(meta, chunks) {
  const stream = ++streamIds;
  return {
    source: { kind: 'push', stream, size: meta.size, origin: meta.origin, url: meta.url },
    // Send the chunks with flow control (at most PUSH_WINDOW bytes unacknowledged).
    // Each chunk's buffer is transferred, never copied again.
    // When the worker goes (an abort, an error), the source is cancelled.
    async pump(w) {
      let inflight = 0, wake = null, cancel = null;
      w.onAck(stream, (n) => { inflight -= n; wake?.(); });
      w.closed.then(() => { cancel?.(abortError()); wake?.(); });
      try {
        for await (let c of chunks((fn) => { cancel = fn; })) {
          if (!w.alive) return;
          if (!(c instanceof Uint8Array)) c = new Uint8Array(c);
          const own = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && !(typeof SharedArrayBuffer === 'function' && c.buffer instanceof SharedArrayBuffer);
          const buf = own ? c.buffer : c.slice().buffer;
          inflight += buf.byteLength;
          w.post({ type: 'chunk', stream, data: buf }, [buf]);
          while (inflight > PUSH_WINDOW && w.alive) await new Promise((r) => { wake = r; });
          if (!w.alive) return;
        }
        w.post({ type: 'end', stream });
      } catch (e) {
        w.post({ type: 'fail', stream, error: String(e?.message ?? e) });
      } finally { w.onAck(stream, null); }
    },
  };
}

// ------------------------------------------------------------ load
// Compiled wasm modules, by build and place: the first load of a build
// compiles it (in its worker), the next ones instantiate it at once.
const compiledModules = new Map();
const moduleKey = (flavour, wasmBase) => `${flavour}|${wasmBase ?? ''}`;

/**
 * Load a GGUF model into a worker of its own. See js/index.d.ts for options.
 */
export async function load(source, options) {
  const t0 = now();
  const { threads, onProgress, signal, expectedId, cache, memoryLimit, contextLength, batchSize, repack, wasmBase,
    _holdBytes: holdBytes } = loadOptions(options);
  // (_holdBytes, tests only: heap held below the model, js/worker.js)
  if (signal?.aborted) throw abortError(signal);
  const cores = isNode ? (await import('node:os')).cpus().length : undefined;
  const sel = selectBuild(threads, { cores });
  const desc = await describeSource(source);
  const w = await WorkerHandle.spawn();
  const onAbort = () => w.terminate(abortError(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const base = wasmBase && String(wasmBase);
  const report = (p) => { try { onProgress?.(p); } catch (e) { console.error(e); } };
  let savedResolve;
  const cacheSaved = new Promise((r) => { savedResolve = r; });
  w.closed.then(() => savedResolve(false));
  w.onUntargeted = (m) => {
    if (m.type === 'module') compiledModules.set(moduleKey(m.flavour, base), m.module);
    else if (m.type === 'cache-progress') report({ loaded: m.loaded, total: m.total, phase: 'cache' });
    else if (m.type === 'cache-done') savedResolve(m.cached);
  };
  try {
    if (signal?.aborted) throw abortError(signal); // while the worker started
    let lastLoaded = -1;
    const loading = w.call('load', {
      flavour: sel.flavour, threads: sel.threads, autoThreads: sel.auto, memoryLimit, wasmBase: base,
      module: compiledModules.get(moduleKey(sel.flavour, base)),
      abortBuffer: w.abortFlag?.buffer, holdBytes,
      source: desc.source, expectedId, cache, contextLength, batchSize, repack, calledAt: epochMs(t0),
    }, {
      onEvent: (m) => {
        if (m.type !== 'progress' || m.loaded === lastLoaded) return;
        lastLoaded = m.loaded;
        report({ loaded: m.loaded, total: m.total, phase: m.phase });
      },
    });
    desc.pump?.(w);
    const info = await loading;
    const loadMs = now() - t0;
    return new Model(w, {
      ...info, buildReason: sel.reason, heapUsedAtStart: undefined, loadMs,
      timings: { ...info.timings, spawn: w.readyAt - t0, total: loadMs },
    }, cacheSaved);
  } catch (e) {
    await w.terminate(e);
    throw signal?.aborted ? abortError(signal) : e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function now() { return typeof performance === 'object' ? performance.now() : Date.now(); }
// a now() as milliseconds since the epoch, comparable across threads
function epochMs(t) { return typeof performance === 'object' ? performance.timeOrigin + t : t; }

// ------------------------------------------------------------ model
export class Model {
  #w;
  #info;
  #disposed = null;
  constructor(w, info, cacheSaved) {
    this.#w = w;
    this.#info = Object.freeze(Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)));
    this.cacheSaved = cacheSaved ?? Promise.resolve(false);
  }

  /** What was loaded and how: size, arch, build ('wasm-mt' | 'wasm-st'), threads, source, id when the load checked it, ... */
  get info() { return this.#info; }

  #id = null;
  /**
   * The model id (BLAKE2b-256 of the file, hex). Known at once when the load
   * checked it (expectedId, a cache hit: info.id); else the worker hashes the
   * file after the load while idle, and this waits for it (and hurries it).
   */
  id() {
    if (this.#info.id) return Promise.resolve(this.#info.id);
    this.#id ??= this.#call('id');
    return this.#id;
  }

  #call(op, args, opts) {
    if (this.#disposed) return Promise.reject(mnError('MN_E_STATE', 'the model was disposed'));
    return this.#w.call(op, args, opts);
  }

  /**
   * Generate text: an async iterable of pieces (see Generation). Never throws:
   * a bad prompt or option, like every other error, rejects `result` and the
   * iterator's first next().
   */
  generate(prompt, options = {}) {
    let args;
    try {
      args = { prompt: typeof prompt === 'string' ? prompt : promptIds(prompt), options: generateOptions(options) };
    } catch (e) {
      return new Generation(this.#w, () => Promise.reject(e)); // (the signal may be what was wrong)
    }
    return new Generation(this.#w, (onEvent) => this.#call('generate', args, { onEvent }), options?.signal);
  }

  /** Token ids and [start, end) UTF-8 byte offsets (and UTF-16 offsets into text). */
  async tokenize(text, options) {
    if (typeof text !== 'string') throw mnError('MN_E_INVALID_ARG', `tokenize(text): text must be a string, not ${text === null ? 'null' : typeof text}`);
    const r = await this.#call('tokenize', { text, ...tokenizeOptions(options) });
    return { ids: r.ids, offsets: r.offsets, charOffsets: charOffsets(text, r.offsets) };
  }

  /** The text of token ids. */
  async detokenize(ids, options) {
    return this.#call('detokenize', { ids: tokenIds('detokenize(ids)', ids), ...detokenizeOptions(options) });
  }

  /** Wasm memory of this model's instance: { wasmBytes, heapUsed, heapUsedAtStart, limit }. */
  memory() { return this.#call('memory'); }

  /**
   * Free the model in C, then end its worker (and the wasm memory with it).
   * Resolves to the heap in use after the free and at the instance's start
   * (equal: nothing leaked). A second call returns the same promise.
   */
  dispose() {
    if (!this.#disposed) {
      this.#disposed = this.#w.call('dispose').catch(() => null)
        .then(async (report) => { await this.#w.terminate(); return report ?? {}; });
    }
    return this.#disposed;
  }

  get disposed() { return this.#disposed !== null; }
}

// A prompt given as token ids (e.g. a chat template applied by the caller).
function promptIds(prompt) {
  const ids = tokenIds('generate(prompt): a string or an array of token ids', prompt);
  if (!ids.length) throw mnError('MN_E_INVALID_ARG', 'generate(prompt): no token ids');
  return ids;
}

// UTF-8 byte offsets -> UTF-16 indices into text (for slicing JS strings).
// A range that starts or ends inside a character (byte-fallback tokens split
// one) is widened to whole characters: starts round down, ends round up.
function charOffsets(text, offsets) {
  const enc = new TextEncoder().encode(text);
  const down = new Uint32Array(enc.length + 1), up = new Uint32Array(enc.length + 1);
  let b = 0;
  for (let i = 0; i < text.length;) {
    const c = text.codePointAt(i);
    const L = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4, u = c >= 0x10000 ? 2 : 1;
    for (let k = 0; k < L; k++) { down[b + k] = i; up[b + k] = k ? i + u : i; }
    b += L; i += u;
  }
  down[b] = up[b] = text.length;
  const out = new Uint32Array(offsets.length);
  for (let k = 0; k < offsets.length; k += 2) {
    out[k] = down[Math.min(offsets[k], b)];
    out[k + 1] = up[Math.min(offsets[k + 1], b)];
  }
  return out;
}

// ------------------------------------------------------------ generation
/**
 * An async iterable of text pieces, started at once. Each piece is whole UTF-8
 * characters; a stop string is never part of it. Breaking out of a for-await
 * loop, abort() or the signal stops generation between two tokens; the
 * iterator then rejects with the abort reason (break: ends quietly), and
 * `result` resolves with reason 'aborted' and what was generated until then.
 * `result` resolves to { text, reason, tokens, stats } when it ends.
 */
export class Generation {
  #queue = [];
  #wake = null;
  #end = null;    // { error } or { value } once finished
  #w;
  #req;
  #text = '';
  #tokens = 0;
  #quiet = false;
  #received = 0;
  constructor(w, start, signal) {
    this.#w = w;
    this.signal = signal;
    if (signal?.aborted) {
      this.result = Promise.reject(abortError(signal));
      this.#end = { error: abortError(signal) };
    } else {
      this.#req = start((m) => {
        if (m.type !== 'piece') return;
        this.#w.post({ type: 'gen-ack', target: m.id, count: ++this.#received });
        if (m.token >= 0) this.#tokens++;
        if (m.text) { this.#text += m.text; this.#queue.push(m.text); this.#wake?.(); }
      });
      const onAbort = () => this.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.result = this.#req.then(
        (r) => { this.#end = r.reason === 'aborted' ? { value: r, error: abortError(signal) } : { value: r }; return r; },
        (e) => { const err = e?.name === 'AbortError' && signal?.aborted ? abortError(signal) : e; this.#end = { error: err }; throw err; },
      ).finally(() => { signal?.removeEventListener('abort', onAbort); this.#wake?.(); });
    }
    this.result.catch(() => {}); // observed through the iterator or by the caller
  }

  /** Tokens generated so far. */
  get tokenCount() { return this.#tokens; }

  /** Stop between two tokens. */
  abort() { if (this.#req?.id !== undefined && !this.#end) this.#w.abort(this.#req.id); }

  [Symbol.asyncIterator]() { return this; }

  async next() {
    for (;;) {
      if (this.#queue.length) return { value: this.#queue.shift(), done: false };
      if (this.#end) {
        if (this.#end.error && !this.#quiet) throw this.#end.error;
        return { value: undefined, done: true };
      }
      await new Promise((r) => { this.#wake = r; });
      this.#wake = null;
    }
  }

  async return() {
    this.#quiet = true;
    this.#queue.length = 0;
    this.abort();
    await this.result.catch(() => {});
    return { value: undefined, done: true };
  }

  /** The whole text (waits for the end). */
  async text() { await this.result; return this.#text; }
}

export default { load, MinnowError, THREADS_MAX, VERSION };
