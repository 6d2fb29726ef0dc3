// minnow worker: owns one wasm instance (plus its pthread workers on wasm/mt)
// and one model; js/index.js talks to it by messages.
//
// Contract:
//  - Every wasm call happens here, never on the caller's thread.
//  - Requests are {id, op, ...}; replies are {id, ok: true, result} or
//    {id, ok: false, error}; streaming ops also send {id, type: 'progress' |
//    'piece'} before their reply. The first message a worker sends is
//    {type: 'ready'}.
//  - Loading writes each chunk straight into the GGUF loader's buffer in wasm
//    memory (reserve -> write -> hash in place -> commit): no second copy of
//    the file in JS. Files (Node) are read straight into wasm memory.
//  - Generation yields to the event loop after every token, so an 'abort'
//    message is seen between two tokens.
//  - Browser: started by worker-boot.js (a classic worker, so the Emscripten
//    script can be importScripts()ed). Node: started as a worker_threads module.
import { loadCore, MinnowError, mnError, WASM32_MAX_BYTES } from './core.js';

const isNode = typeof process === 'object' && !!process.versions?.node;
const CHUNK = 1 << 20; // file reads and cache writes, bytes
const CACHE_NAME = 'minnow-models-v1';

let port; // { post(msg, transfer), onMessage(fn) }
let core = null;
const state = { gguf: 0, model: 0, ctx: 0, tok: 0, info: null, limit: WASM32_MAX_BYTES };
const aborted = new Set();   // request ids whose abort arrived
const pushed = new Map();    // stream id -> { chunks: [], done, error, wake }
let busy = Promise.resolve(); // generation/tokenize run one at a time on the context

const ops = { init, load, generate, tokenize, detokenize, memory, dispose, ping: () => 'pong' };

export async function start() {
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    port = { post: (m, t) => parentPort.postMessage(m, t), onMessage: (fn) => parentPort.on('message', fn) };
  } else {
    port = { post: (m, t) => self.postMessage(m, t), onMessage: (fn) => { self.onmessage = (e) => fn(e.data); } };
  }
  port.onMessage(onMessage);
  port.post({ type: 'ready' });
}

function onMessage(msg) {
  switch (msg.type) {
    case 'abort': aborted.add(msg.target); return;
    case 'chunk': case 'end': case 'fail': return onPushed(msg);
    default: break;
  }
  const { id, op } = msg;
  const fn = ops[op];
  Promise.resolve()
    .then(() => { if (!fn) throw mnError('MN_E_INVALID_ARG', `unknown worker op ${op}`); return fn(msg); })
    .then((result) => port.post({ id, ok: true, result }),
      (e) => port.post({ id, ok: false, error: serializeError(e) }))
    .finally(() => aborted.delete(id));
}

function serializeError(e) {
  if (e instanceof MinnowError) return { kind: 'minnow', code: e.code, status: e.status, message: e.detail };
  if (e?.name === 'AbortError') return { kind: 'abort', message: e.message };
  return { kind: 'error', name: e?.name ?? 'Error', message: String(e?.message ?? e), stack: e?.stack };
}

function abortError() {
  return typeof DOMException === 'function' ? new DOMException('the operation was aborted', 'AbortError')
    : Object.assign(new Error('the operation was aborted'), { name: 'AbortError' });
}

// A macrotask yield without setTimeout's clamping (browsers clamp nested timers to 4 ms).
const yieldNow = isNode ? () => new Promise((r) => setImmediate(r)) : (() => {
  const ch = new MessageChannel(), q = [];
  ch.port1.onmessage = () => q.shift()?.();
  return () => new Promise((r) => { q.push(r); ch.port2.postMessage(0); });
})();

// ------------------------------------------------------------------ init
async function init({ flavour, threads, memoryLimit, wasmBase }) {
  core = await loadCore({ flavour, poolThreads: threads, memoryLimit, wasmBase });
  state.limit = memoryLimit ?? WASM32_MAX_BYTES;
  const caps = core.capabilities();
  return { build: caps.target, flavour: core.flavour, threads: core.threads, simd: caps.simd, version: caps.version, heapUsedAtStart: core.heapUsedAtStart };
}

function needCore() {
  if (!core) throw mnError('MN_E_STATE', 'the worker has no core (disposed?)');
  return core;
}

// ------------------------------------------------------------------ load
// Sources (posted by js/index.js):
//   {kind: 'url', url}        fetched here (browser: through the Cache API)
//   {kind: 'path', path}      Node: read straight into wasm memory
//   {kind: 'blob', blob}      Blob/File, streamed
//   {kind: 'push', stream, size}  chunks pushed by the caller (Response, ArrayBuffer, stream)
async function load(req) {
  const c = needCore();
  if (state.gguf || state.model) throw mnError('MN_E_STATE', 'this worker already holds a model');
  const { id: reqId, source, expectedId, cache = true } = req;
  const progress = (loaded, total, phase) => port.post({ id: reqId, type: 'progress', loaded, total, phase });
  const check = () => { if (aborted.has(reqId)) throw abortError(); };
  const t0 = now();
  let got;
  if (source.kind === 'url') got = await loadUrl(c, source.url, { expectedId, cache, progress, check });
  else {
    const src = await openSource(source);
    got = await ingest(c, src, { progress, check, expectedId });
  }
  state.gguf = got.gguf;
  const info = {
    id: got.id, size: got.size, source: got.origin, url: source.url,
    arch: c.ggufString(got.gguf, 'general.architecture'),
    name: c.ggufString(got.gguf, 'general.name'),
    ...c.ggufCounts(got.gguf),
    build: `wasm-${c.flavour}`, threads: c.threads,
    loadMs: 0, cached: got.origin === 'cache',
  };
  if (got.cacheWrite) {
    try { await got.cacheWrite(); info.cached = true; } catch (e) { info.cacheError = String(e?.message ?? e); }
  }
  info.loadMs = now() - t0;
  state.info = info;
  return info;
}

function now() { return typeof performance === 'object' ? performance.now() : Date.now(); }

function tooBig(size) {
  const avail = state.limit - core.heapUsed();
  if (size <= avail) return null;
  const gib = (n) => (n / 2 ** 30).toFixed(2);
  const what = state.limit >= WASM32_MAX_BYTES ? `wasm32 addresses at most 4 GiB (${gib(avail)} GiB free for the model)`
    : `the memory limit is ${state.limit} bytes (${avail} free for the model)`;
  return mnError('MN_E_NOMEM', `the model is ${size} bytes (${gib(size)} GiB) and cannot fit: ${what}`);
}

// Stream a source into a GGUF loader, hashing in place; verify the id.
// src: { size?, origin, chunks?: async iterable of Uint8Array, readInto?: (view, offset) => bytes read }
async function ingest(c, src, { progress, check, expectedId }) {
  if (src.size != null) { const e = tooBig(src.size); if (e) { src.close?.(); throw e; } }
  const loader = c.ggufLoader(src.size ?? 0);
  const hasher = c.hasher();
  let gguf = 0, loaded = 0;
  try {
    const put = (n, write) => {
      const p = loader.reserve(n);
      const wrote = write(p);
      hasher.update(p, wrote);
      loader.commit(wrote);
      loaded += wrote;
      return wrote;
    };
    progress(0, src.size ?? null, 'load');
    if (src.readInto) {
      for (let off = 0; off < src.size;) {
        check();
        const n = Math.min(CHUNK, src.size - off);
        const p = loader.reserve(n);
        const got = await src.readInto(new Uint8Array(c.memory.buffer, p, n), off);
        if (got === 0) break;
        hasher.update(p, got);
        loader.commit(got);
        off += got; loaded += got;
        progress(loaded, src.size, 'load');
      }
    } else {
      for await (const chunk of src.chunks()) {
        check();
        for (let o = 0; o < chunk.length; o += CHUNK) {
          const part = chunk.subarray(o, Math.min(chunk.length, o + CHUNK));
          put(part.length, (p) => { c.u8().set(part, p); return part.length; });
        }
        progress(loaded, src.size ?? null, 'load');
      }
    }
    check();
    if (src.size != null && loaded !== src.size) {
      throw mnError('MN_E_IO', `the source ended after ${loaded} of ${src.size} bytes`);
    }
    gguf = loader.finish();
    const id = hasher.hex();
    if (expectedId && id !== expectedId.toLowerCase()) {
      throw mnError('MN_E_ID_MISMATCH', `the model's id is ${id}, not the expected ${expectedId.toLowerCase()}: the file differs from the one expected (tampered or corrupted), refused`);
    }
    if (src.size == null) progress(loaded, loaded, 'load');
    const result = { gguf, id, size: loaded, origin: src.origin };
    gguf = 0;
    return result;
  } catch (e) {
    if (e instanceof MinnowError && e.code === 2 && !/cannot fit/.test(e.detail)) {
      // the C message says which allocation; add what it means here
      throw mnError('MN_E_NOMEM', `out of wasm memory while loading the model (${loaded} bytes read of ${src.size ?? 'unknown'}; wasm memory ${c.heapBytes()} bytes, limit ${state.limit}): ${e.detail}`);
    }
    throw e;
  } finally {
    src.close?.();
    if (gguf) c.ggufFree(gguf);
    hasher.free();
    loader.free();
  }
}

async function openSource(source) {
  switch (source.kind) {
    case 'path': {
      const fs = await import('node:fs/promises');
      const fh = await fs.open(source.path, 'r').catch((e) => {
        throw mnError('MN_E_IO', `cannot open ${source.path}: ${e.message}`);
      });
      const size = (await fh.stat()).size;
      return {
        size, origin: 'file',
        readInto: async (view, offset) => (await fh.read(view, 0, view.length, offset)).bytesRead,
        close: () => fh.close().catch(() => {}),
      };
    }
    case 'blob':
      return { size: source.blob.size, origin: 'memory', chunks: () => streamChunks(source.blob.stream()) };
    case 'push':
      return { size: source.size ?? null, origin: source.origin ?? 'memory', chunks: () => pushedChunks(source.stream) };
    default:
      throw mnError('MN_E_INVALID_ARG', `unknown source kind ${source.kind}`);
  }
}

async function* streamChunks(stream) {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally { reader.releaseLock?.(); }
}

// Chunks pushed by the caller with flow control: each consumed chunk is acked.
function onPushed(msg) {
  let s = pushed.get(msg.stream);
  if (!s) { s = { chunks: [], done: false, error: null, wake: null }; pushed.set(msg.stream, s); }
  if (msg.type === 'chunk') s.chunks.push(new Uint8Array(msg.data));
  else if (msg.type === 'end') s.done = true;
  else s.error = msg.error;
  s.wake?.();
}
async function* pushedChunks(streamId) {
  if (!pushed.has(streamId)) pushed.set(streamId, { chunks: [], done: false, error: null, wake: null });
  const s = pushed.get(streamId);
  try {
    for (;;) {
      if (s.chunks.length) {
        const c = s.chunks.shift();
        yield c;
        port.post({ type: 'ack', stream: streamId, bytes: c.length });
        continue;
      }
      if (s.error) throw mnError('MN_E_IO', `reading the source failed: ${s.error}`);
      if (s.done) return;
      await new Promise((r) => { s.wake = r; });
      s.wake = null;
    }
  } finally { pushed.delete(streamId); }
}

// ---- URL sources, through the Cache API when there is one (browsers).
// Entries: /.minnow-cache/id/<model id> holds the file; /.minnow-cache/url/<url>
// holds the id last loaded from that URL. A model is written to the cache only
// after it loaded and its id was verified, read from wasm memory chunk by chunk.
function cacheKey(kind, v) {
  return new Request(new URL(`/.minnow-cache/${kind}/${encodeURIComponent(v)}`, self.location.origin).href);
}
async function openCache() {
  if (typeof caches !== 'object' || isNode) return null;
  try { return await caches.open(CACHE_NAME); } catch { return null; }
}

async function loadUrl(c, url, { expectedId, cache, progress, check }) {
  const store = cache ? await openCache() : null;
  if (store) {
    let id = expectedId?.toLowerCase();
    if (!id) id = await store.match(cacheKey('url', url)).then((r) => r?.text());
    const hit = id ? await store.match(cacheKey('id', id)) : null;
    if (hit) {
      try {
        const size = Number(hit.headers.get('x-minnow-size'));
        return await ingest(c, { size: Number.isFinite(size) && size > 0 ? size : null, origin: 'cache', chunks: () => streamChunks(hit.body) },
          { progress, check, expectedId: id });
      } catch (e) {
        if (e?.name === 'AbortError' || e?.status === 'MN_E_NOMEM') throw e;
        await store.delete(cacheKey('id', id)); // a damaged entry: drop it and download again
      }
    }
  }
  const ac = new AbortController();
  let resp;
  try {
    resp = await fetch(url, { signal: ac.signal, credentials: 'same-origin' });
  } catch (e) {
    throw mnError('MN_E_IO', `cannot fetch ${url}: ${e.message}`);
  }
  if (!resp.ok) throw mnError('MN_E_IO', `HTTP ${resp.status} ${resp.statusText} fetching ${url}`);
  const enc = resp.headers.get('content-encoding');
  const len = Number(resp.headers.get('content-length'));
  const size = (!enc || enc === 'identity') && Number.isFinite(len) && resp.headers.has('content-length') ? len : null;
  const got = await ingest(c, { size, origin: 'network', chunks: () => streamChunks(resp.body), close: () => ac.abort() },
    { progress, check, expectedId });
  if (store) got.cacheWrite = () => writeCache(c, store, url, got, progress);
  return got;
}

async function writeCache(c, store, url, got, progress) {
  const g = state.gguf;
  const size = got.size;
  let off = 0;
  const body = new ReadableStream({
    pull(ctrl) {
      if (off >= size) { ctrl.close(); return; }
      const [p] = c.ggufBytes(g); // re-read: memory may have grown since
      const n = Math.min(CHUNK, size - off);
      ctrl.enqueue(c.u8().slice(p + off, p + off + n)); // a copy: the cache cannot take shared memory
      off += n;
      progress(off, size, 'cache');
    },
  });
  await store.put(cacheKey('id', got.id), new Response(body, {
    headers: { 'content-type': 'application/octet-stream', 'x-minnow-size': String(size), 'x-minnow-id': got.id },
  }));
  await store.put(cacheKey('url', url), new Response(got.id, { headers: { 'content-type': 'text/plain' } }));
}

// ------------------------------------------------------------ inference
function needModel() {
  needCore();
  if (!state.gguf) throw mnError('MN_E_STATE', 'no model loaded');
  if (!state.model) throw mnError('MN_E_UNSUPPORTED', 'this build has no decoder yet (src/model): the model was loaded and verified, but cannot generate');
}

async function generate() { needModel(); }
async function tokenize() { needModel(); }
async function detokenize() { needModel(); }

// ------------------------------------------------------------ memory, dispose
function memory() {
  const c = needCore();
  return { wasmBytes: c.heapBytes(), heapUsed: c.heapUsed(), heapUsedAtStart: c.heapUsedAtStart, limit: state.limit };
}

async function dispose() {
  if (!core) return { heapUsed: 0, heapUsedAtStart: 0 };
  await busy.catch(() => {});
  if (state.gguf) core.ggufFree(state.gguf);
  state.gguf = 0;
  const report = { heapUsed: core.heapUsed(), heapUsedAtStart: core.heapUsedAtStart };
  core.dispose();
  core = null;
  return report;
}

// Node: this file is the worker's entry point.
if (isNode) {
  const { isMainThread, workerData } = await import('node:worker_threads');
  if (!isMainThread && workerData?.minnowWorker === true) start();
}
