// minnow worker: owns one wasm instance (plus its pthread workers on wasm/mt)
// and one model; js/index.js talks to it by messages.
//
// Contract:
//  - Every wasm call happens here, never on the caller's thread.
//  - Requests are {id, op, ...}; replies are {id, ok: true, result} or
//    {id, ok: false, error}; streaming ops also send {id, type: 'progress' |
//    'piece'} before their reply. The first message a worker sends is
//    {type: 'ready'}; untargeted events: {type: 'module'} (the compiled wasm
//    module, for the next worker), {type: 'cache-progress' | 'cache-done'}.
//  - Loading writes each chunk straight into the GGUF loader's buffer in wasm
//    memory (reserve -> write -> [hash in place] -> commit): no second copy of
//    the file in JS (only the first chunks, at most PREFETCH_BYTES, wait in JS
//    while the wasm instance starts). Files (Node) are read straight into
//    wasm memory. An id to check (expectedId, a cache entry's) is checked
//    before the model is built; without one the file is hashed after the load
//    (op 'id', hashInBackground).
//  - Generation yields to the event loop after every token, so an 'abort'
//    message is seen between two tokens.
//  - Browser: started by worker-boot.js (a classic worker, so the Emscripten
//    script can be importScripts()ed). Node: started as a worker_threads module.
import { loadCore, MinnowError, mnError, WASM32_MAX_BYTES, abortError, byteChunks, autoThreads } from './core.js';

const isNode = typeof process === 'object' && !!process.versions?.node;
const CHUNK = 1 << 20; // file reads and cache writes, bytes
const CACHE_NAME = 'minnow-models-v1';

let port; // { post(msg, transfer), onMessage(fn) }
let core = null;
const state = { gguf: 0, keysTok: 0, model: 0, ctx: 0, tok: 0, slots: 0, running: 0, hold: [], info: null, limit: WASM32_MAX_BYTES, caching: null, id: null, fileScratch: 0, repacked: false };
const aborted = new Set();   // request ids whose abort arrived
let abortFlag = null;        // Int32Array on a SharedArrayBuffer: the id of the last generation aborted (when shared memory exists)
const acked = new Map();     // generation id -> pieces the caller has received
let ackWake = null;
const GEN_WINDOW = 2;        // most pieces a generation runs ahead of what the caller has received
const pushed = new Map();    // stream id -> { chunks: [], done, error, wake }
let busy = Promise.resolve(); // generation/tokenize run one at a time on the context

const ops = { load, id, generate, tokenize, detokenize, memory, dispose, ping: () => 'pong' };

// early: messages that arrived before this module loaded (js/worker-boot.js), handled first
export async function start(early = []) {
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    port = { post: (m, t) => parentPort.postMessage(m, t), onMessage: (fn) => parentPort.on('message', fn) };
  } else {
    port = { post: (m, t) => self.postMessage(m, t), onMessage: (fn) => { self.onmessage = (e) => fn(e.data); } };
  }
  port.onMessage(onMessage);
  port.post({ type: 'ready' });
  for (const m of early) onMessage(m);
}

function onMessage(msg) {
  switch (msg.type) {
    case 'abort': aborted.add(msg.target); ackWake?.(); return;
    case 'gen-ack': acked.set(msg.target, msg.count); ackWake?.(); return;
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

// A macrotask yield without setTimeout's clamping (browsers clamp nested timers to 4 ms).
const yieldNow = isNode ? () => new Promise((r) => setImmediate(r)) : (() => {
  const ch = new MessageChannel(), q = [];
  ch.port1.onmessage = () => q.shift()?.();
  return () => new Promise((r) => { q.push(r); ch.port2.postMessage(0); });
})();

// ------------------------------------------------------------------ load
// One request does it all, so that its parts overlap: the source is opened
// (the Cache API looked up, the request sent) while the wasm module compiles
// and instantiates, and the first chunks are read meanwhile (at most
// PREFETCH_BYTES, held in JS until the core exists). Then every chunk goes
// straight into the GGUF loader's buffer in wasm memory (and is hashed there
// when there is an id to check, which is then checked); the decoder and its
// context are built; the load replies. Then, in the background: the id when
// it is not known yet, and a URL download written to the Cache API
// (model.cacheSaved says when it is done).
//
// Sources (posted by js/index.js):
//   {kind: 'url', url}        fetched here (browser: through the Cache API)
//   {kind: 'path', path}      Node: read straight into wasm memory
//   {kind: 'blob', blob}      Blob/File, streamed
//   {kind: 'push', stream, size}  chunks pushed by the caller (Response, ArrayBuffer, stream)
const PREFETCH_BYTES = 64 << 20;
const KEYS_FIRST_TRY = 256 << 10; // bytes in before the keys are first looked for (then at doubling sizes)
const PROGRESS_MS = 16; // at most one progress message per frame (the first and the last always)

async function load(req) {
  if (core || state.model) throw mnError('MN_E_STATE', 'this worker already holds a model');
  const { id: reqId, source, expectedId, cache = true } = req;
  const t0 = now();
  let lastProgress = -Infinity;
  const progress = (loaded, total, phase, force = false) => {
    const t = now();
    if (!force && t - lastProgress < PROGRESS_MS) return;
    lastProgress = t;
    port.post({ id: reqId, type: 'progress', loaded, total, phase });
  };
  const check = () => { if (aborted.has(reqId)) throw abortError(); };
  // start: from the load() call to here (the worker and its scripts starting)
  const timings = req.calledAt ? { start: (typeof performance === 'object' ? performance.timeOrigin + t0 : t0) - req.calledAt } : {};
  // the request first: starting the core blocks this thread a while (the glue script loads synchronously)
  const opening = openSource(source, { expectedId, cache });
  opening.catch(() => {});
  const starting = startCore(req).then((r) => { timings.core = now() - t0; return r; });
  starting.catch(() => {});
  let src;
  try {
    src = await opening;
    check();
  } catch (e) {
    await starting.then(() => {}, () => {}); // (the core, if it came up, is disposed with the worker)
    throw e;
  }
  try {
    const chunks = src.chunks ? prefetch(src.chunks(), starting, PREFETCH_BYTES) : null;
    const init = await starting;
    check();
    const run = async (from, fromChunks) => {
      // the id to check: expectedId's, or a cache entry's (it must have the id it is kept under)
      const want = (expectedId ?? from.expectId)?.toLowerCase();
      const got = await ingest(core, { ...from, chunks: fromChunks ?? from.chunks }, { progress, check, hash: !!want });
      timings.ingest = now() - t0;
      timings.lastByte = got.lastByte - t0;
      if (want) timings.hash = got.hashMs;
      if (want && got.id !== want) {
        core.ggufFree(got.gguf);
        if (got.tok) core.tokenizerFree(got.tok);
        throw mnError('MN_E_ID_MISMATCH', `the model's id is ${got.id}, not the expected ${want}: the file differs from the one expected (tampered or corrupted), refused`);
      }
      state.gguf = got.gguf;
      state.keysTok = got.tok;
      if (got.tok) timings.keys = got.keysMs;
      got.bytes = core.ggufBytes(got.gguf); // still valid once the model owns the handle
      got.arch = core.ggufString(got.gguf, 'general.architecture');
      got.name = core.ggufString(got.gguf, 'general.name');
      got.counts = core.ggufCounts(got.gguf);
      try {
        got.decoder = makeModel(core, req, timings);
      } catch (e) {
        freeModel();
        throw e;
      }
      timings.build = now() - t0 - timings.ingest;
      return got;
    };
    let got;
    try {
      got = await run(src, chunks);
    } catch (e) {
      // a damaged cache entry (refused by its id, or not even a GGUF): drop it, download again
      if (!src.damaged || e?.name === 'AbortError' || e?.status === 'MN_E_NOMEM') throw e;
      src.close?.();
      src = await src.damaged();
      got = await run(src);
    }
    const info = {
      id: got.id ?? undefined, size: got.size, source: got.origin, cached: got.origin === 'cache', url: source.url,
      arch: got.arch, name: got.name, ...got.counts, ...init, ...got.decoder, loadMs: 0, timings,
    };
    // no id yet (none to check it against): the file is hashed after the load, when the worker is idle
    state.id = got.id ? { promise: Promise.resolve(got.id), hurry() {}, stop() {} } : hashInBackground(got.bytes);
    state.id.promise.catch(() => {});
    if (src.cacheKey) {
      const { store, cacheKey: key } = src;
      state.id.promise.then((id) => { if (core && state.model) startCacheWrite(store, key, id, got.bytes); },
        (e) => port.post({ type: 'cache-done', cached: false, error: String(e?.message ?? e) }));
    } else port.post({ type: 'cache-done', cached: got.origin === 'cache' });
    info.loadMs = timings.total = now() - t0;
    state.info = info;
    return info;
  } finally {
    src.close?.();
  }
}

// The id (BLAKE2b-256 of the file) of a model loaded with none to check: the
// file, in wasm memory and immutable while the model lives, is hashed 1 MiB
// per macrotask once the load replied, and not while a generation runs unless
// an 'id' request hurries it. Hashing costs ~1.7 ms per MB (wasm, this
// machine): an id nobody waits for delays neither the load nor the first
// token. Returns { promise, hurry(), stop() }.
function hashInBackground([p, size]) {
  let hurried = false, stopped = false;
  const promise = (async () => {
    await yieldNow(); // after the load's reply
    const h = core.hasher();
    try {
      for (let off = 0; off < size;) {
        if (stopped) throw mnError('MN_E_STATE', 'the model was disposed before its id was computed');
        if (state.running && !hurried) { await new Promise((r) => setTimeout(r, 20)); continue; }
        const n = Math.min(CHUNK, size - off);
        h.update(fileBytes(p, off, n), n);
        off += n;
        await yieldNow();
      }
      return h.hex();
    } finally { h.free(); }
  })();
  return { promise, hurry: () => { hurried = true; }, stop: () => { stopped = true; } };
}

// Where bytes [off, off + n) (n <= CHUNK) of the model's file are in wasm memory, as the file has
// them: in place (p: the file's start), or, when the load rearranged weights for the kernels
// (model.repacked_bytes > 0), restored into a scratch buffer by mn_model_file_read.
function fileBytes(p, off, n) {
  if (!state.repacked) return p + off;
  if (!state.fileScratch) state.fileScratch = core.alloc(CHUNK);
  core.check(core.mod._mn_model_file_read(state.model, off, state.fileScratch, n));
  return state.fileScratch;
}

// op 'id': the model id (at once when the load computed it)
async function id() {
  needModel();
  state.id.hurry();
  return state.id.promise;
}

// Instantiate the core (req: flavour, pool threads, memory limit, wasm base, a compiled module).
async function startCore({ flavour, threads, memoryLimit, wasmBase, module, abortBuffer, holdBytes }) {
  if (abortBuffer) abortFlag = new Int32Array(abortBuffer);
  core = await loadCore({ flavour, poolThreads: threads, memoryLimit, wasmBase, module });
  // tests: hold the low heap so that everything the model allocates lies above it (e.g. above 2 GiB)
  // (in pieces: dlmalloc's sbrk takes a signed increment, so one malloc stays below 2 GiB)
  for (let left = holdBytes ?? 0; left > 0; left -= 1 << 29) state.hold.push(core.alloc(Math.min(left, 1 << 29)));
  state.limit = memoryLimit ?? WASM32_MAX_BYTES;
  const caps = core.capabilities();
  // the compiled module goes back to the caller, who gives it to the next worker of this build
  port.post({ type: 'module', flavour: core.flavour, module: core.module });
  return { build: caps.target, flavour: core.flavour, poolThreads: core.threads, simd: caps.simd, version: caps.version, heapUsedAtStart: core.heapUsedAtStart };
}

function needCore() {
  if (!core) throw mnError('MN_E_STATE', 'the worker has no core (disposed?)');
  return core;
}

// Chunks of `chunks` (an async iterator), read ahead into a queue while
// `until` is pending, up to maxBytes of buffers held; then the queue and the rest.
function prefetch(chunks, until, maxBytes) {
  const it = chunks[Symbol.asyncIterator]();
  const recycles = 'reuse' in it; // byteChunks: its chunks are kept here, so no buffer may be reused meanwhile
  if (recycles) it.reuse = false;
  const queue = [];
  let queued = 0, end = false, stop = false;
  until.then(() => { stop = true; }, () => { stop = true; });
  const reading = (async () => {
    while (!stop && queued < maxBytes) {
      const r = await it.next();
      if (r.done) { end = true; return; }
      queue.push(r.value);
      // the memory held, not the bytes: a short read still keeps its whole buffer
      queued += r.value.buffer.byteLength;
    }
  })();
  reading.catch(() => {});
  return async function* () {
    try {
      await reading;
      if (recycles) it.reuse = true; // (the queued chunks are buffers of their own)
      while (queue.length) yield queue.shift();
      if (end) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally { if (!end) await it.return?.(); }
  };
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

// Stream a source into a GGUF loader; with `hash`, each chunk is also hashed
// in place in wasm memory (for an id to check).
// Returns { gguf, id (hex, or null without hash), size, origin, hashMs }.
// src: { size?, origin, chunks?: () => async iterable of Uint8Array, readInto?: (view, offset) => bytes read }
async function ingest(c, src, { progress, check, hash: hashing }) {
  if (src.size != null) { const e = tooBig(src.size); if (e) throw e; }
  const loader = c.ggufLoader(src.size ?? 0);
  const local = hashing ? c.hasher() : null;
  let gguf = 0, loaded = 0, hashMs = 0;
  const hash = (p, n) => {
    if (!local) return;
    const t = now();
    local.update(p, n);
    hashMs += now() - t;
  };
  // The tokenizer, built from the file's keys as soon as they have all
  // arrived (they precede the tensors), while the weights still stream in:
  // the model then takes it over instead of building it after the last byte.
  // Tried at doubling sizes; not when the file has an id to check first.
  let tok = 0, keysMs = 0, keysAt = hashing ? Infinity : KEYS_FIRST_TRY;
  const tryKeys = () => {
    if (loaded < keysAt) return;
    const t = now();
    const meta = loader.metadata();
    if (meta) {
      try { tok = c.tokenizerFromGguf(meta); } finally { c.ggufFree(meta); }
      keysAt = Infinity; // built, or it cannot be: the model's load says why
    } else keysAt = loaded * 2;
    keysMs += now() - t;
  };
  try {
    progress(0, src.size ?? null, 'load', true);
    if (src.readInto) {
      for (let off = 0; off < src.size;) {
        check();
        const n = Math.min(CHUNK, src.size - off);
        const p = loader.reserve(n);
        const got = await src.readInto(new Uint8Array(c.memory.buffer, p, n), off);
        if (got === 0) break;
        loader.commit(got);
        hash(p, got);
        off += got; loaded += got;
        tryKeys();
        progress(loaded, src.size, 'load');
      }
    } else {
      for await (const chunk of src.chunks()) {
        check();
        for (let o = 0; o < chunk.length; o += CHUNK) {
          const n = Math.min(CHUNK, chunk.length - o);
          const p = loader.reserve(n);
          c.u8().set(chunk.subarray(o, o + n), p);
          loader.commit(n);
          hash(p, n);
          loaded += n;
        }
        tryKeys();
        progress(loaded, src.size ?? null, 'load');
      }
    }
    check();
    const lastByte = now();
    if (src.size != null && loaded !== src.size) {
      throw mnError('MN_E_IO', `the source ended after ${loaded} of ${src.size} bytes`);
    }
    gguf = loader.finish();
    const id = local ? local.hex() : null;
    progress(loaded, loaded, 'load', true);
    const result = { gguf, tok, id, size: loaded, origin: src.origin, hashMs, keysMs, lastByte };
    gguf = 0; tok = 0;
    return result;
  } catch (e) {
    if (e instanceof MinnowError && e.code === 2 && !/cannot fit/.test(e.detail)) {
      // the C message says which allocation; add what it means here
      throw mnError('MN_E_NOMEM', `out of wasm memory while loading the model (${loaded} bytes read of ${src.size ?? 'unknown'}; wasm memory ${c.heapBytes()} bytes, limit ${state.limit}): ${e.detail}`);
    }
    throw e;
  } finally {
    if (gguf) c.ggufFree(gguf);
    if (tok) c.tokenizerFree(tok);
    local?.free();
    loader.free();
  }
}
// A source opened: { size, origin, chunks() | readInto(view, offset), close(), store?, cacheKey? }.
async function openSource(source, { expectedId, cache }) {
  switch (source.kind) {
    case 'url': return openUrl(source.url, { expectedId, cache });
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
      return { size: source.blob.size, origin: 'memory', chunks: () => byteChunks(source.blob.stream()) };
    case 'push':
      return { size: source.size ?? null, origin: source.origin ?? 'memory', chunks: () => pushedChunks(source.stream) };
    default:
      throw mnError('MN_E_INVALID_ARG', `unknown source kind ${source.kind}`);
  }
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

// A cache hit (hashed again on the way in: a damaged entry is refused by its
// id) or the download; src.cacheKey says where to keep a download.
async function openUrl(url, { expectedId, cache }) {
  const store = cache ? await openCache() : null;
  if (store) {
    let id = expectedId?.toLowerCase();
    if (!id) id = await store.match(cacheKey('url', url)).then((r) => r?.text());
    const hit = id ? await store.match(cacheKey('id', id)) : null;
    if (hit) {
      const size = Number(hit.headers.get('x-minnow-size'));
      return {
        size: Number.isFinite(size) && size > 0 ? size : null, origin: 'cache', expectId: id, chunks: () => byteChunks(hit.body),
        // a damaged entry: load() drops it and downloads again
        damaged: async () => { await store.delete(cacheKey('id', id)); return download(url, store); },
      };
    }
  }
  return download(url, store);
}

async function download(url, store) {
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
  return {
    size, origin: 'network', chunks: () => byteChunks(resp.body), close: () => ac.abort(),
    store, cacheKey: store ? url : undefined,
  };
}

// Write the file (in wasm memory, immutable while the model lives) to the
// cache in the background: the caller hears 'cache-progress' and one
// 'cache-done'. dispose() stops it first.
function startCacheWrite(store, url, id, [p, size]) {
  let off = 0, stopped = false;
  const body = new ReadableStream({
    pull(ctrl) {
      if (stopped) { ctrl.error(abortError()); return; }
      if (off >= size) { ctrl.close(); return; }
      const n = Math.min(CHUNK, size - off);
      const q = fileBytes(p, off, n);
      ctrl.enqueue(core.u8().slice(q, q + n)); // a copy: the cache cannot take shared memory
      off += n;
      port.post({ type: 'cache-progress', loaded: off, total: size });
    },
  });
  const done = (async () => {
    try {
      await store.put(cacheKey('id', id), new Response(body, {
        headers: { 'content-type': 'application/octet-stream', 'x-minnow-size': String(size), 'x-minnow-id': id },
      }));
      await store.put(cacheKey('url', url), new Response(id, { headers: { 'content-type': 'text/plain' } }));
      port.post({ type: 'cache-done', cached: true });
    } catch (e) {
      port.post({ type: 'cache-done', cached: false, error: stopped ? 'disposed before the cache write ended' : String(e?.message ?? e) });
    } finally { state.caching = null; }
  })();
  state.caching = { done, stop: () => { stopped = true; } };
}

// ------------------------------------------------------------ inference
const END = ['running', 'eos', 'max-tokens', 'stop', 'context-full']; // mn_gen_end
const TOK_ADD_SPECIAL = 1, TOK_PARSE_SPECIAL = 2, TOK_SKIP_SPECIAL = 4; // MN_TOK_* (src/minnow_tok.h)

// Build the decoder on the loaded GGUF (the model takes the handle over) and
// its context; returns what info adds.
const MODEL_NO_REPACK = 2, MODEL_REPACK = 4; // MN_MODEL_* (src/minnow_model.h)
function makeModel(c, { contextLength, batchSize, repack, autoThreads: auto }, timings = {}) {
  const m = c.mod;
  let t = now();
  const lap = (k) => { const t1 = now(); timings[k] = t1 - t; t = t1; };
  const [model, msg] = c.withErr((err, cap) => {
    let st;
    // (with the tokenizer ingest built from the keys, when it did)
    const flags = repack === true ? MODEL_REPACK : repack === false ? MODEL_NO_REPACK : 0;
    const p = c.outPtr((slot) => { st = m._mn_model_load_gguf_tok(slot, state.gguf, state.keysTok, flags, err, cap); });
    return st ? -st : p;
  });
  if (model < 0) throw c.error(-model, msg || undefined);
  state.gguf = 0; state.keysTok = 0; // owned by the model now
  state.model = model;
  lap('model');
  const weightBytes = m._mn_wasm_model_weight_bytes(model);
  const threads = auto ? autoThreads(weightBytes, c.threads) : c.threads;
  const [ctx, cmsg] = c.withErr((err, cap) => {
    let st;
    const p = c.outPtr((slot) => { st = m._mn_wasm_ctx_create(slot, model, contextLength ?? 0, batchSize ?? 0, threads, err, cap); });
    return st ? -st : p;
  });
  if (ctx < 0) throw c.error(-ctx, cmsg || undefined);
  state.ctx = ctx;
  lap('context');
  state.tok = m._mn_ctx_tokenizer(ctx) >>> 0; // the context's own (mn_model_tokenizer is gone)
  lap('tokenizer');
  state.slots = c.alloc(16); // len, token, end
  let json = null;
  for (let cap = 4096; !json; cap *= 4) {
    const buf = c.alloc(cap);
    try {
      const n = m._mn_model_info_json(model, buf, cap) >>> 0;
      if (!m._mn_is_error(n)) json = JSON.parse(c.text(buf, n));
      else if (m._mn_error_code(n) !== 4 || cap > 1 << 26) c.checkSize(n);
    } finally { c.free(buf); }
  }
  state.repacked = json.repacked_bytes > 0;
  lap('infoJson');
  return {
    threads, nVocab: m._mn_model_n_vocab(model) >>> 0, nCtxTrain: m._mn_model_n_ctx_train(model) >>> 0,
    nCtx: m._mn_ctx_n_ctx(ctx) >>> 0, weightBytes, model: json,
  };
}

function needModel() {
  needCore();
  if (!state.model) throw mnError('MN_E_STATE', 'no model loaded');
}

// One generation/tokenization at a time on the context, in arrival order.
function serial(fn) {
  const p = busy.then(fn);
  busy = p.catch(() => {});
  return p;
}

function generate({ id, prompt, options: o }) {
  needModel();
  return serial(async () => {
    const c = needCore(), m = c.mod, ctx = state.ctx;
    if (aborted.has(id)) throw abortError();
    state.running = id;
    const seed = BigInt(o.seed);
    const stops = o.stop.map((s) => new TextEncoder().encode(s + '\0'));
    const stopPtrs = stops.length ? c.alloc(4 * stops.length) : 0;
    const stopBufs = stops.map((b) => { const p = c.alloc(b.length); c.u8().set(b, p); return p; });
    const tokens = [];
    let text = '', reason = 'aborted', dst = 0;
    try {
      stopBufs.forEach((p, i) => { new Uint32Array(c.memory.buffer, stopPtrs + 4 * i, 1)[0] = p; });
      // a text prompt is tokenized in C (MN_TOK_ADD_SPECIAL: BOS as the model says); ids are used as given
      const begin = (p, n, isIds) => m._mn_wasm_gen_begin(ctx, p, n, isIds, o.temperature, o.topK, o.topP, o.minP,
        o.repeatPenalty, o.presencePenalty, o.frequencyPenalty, o.penaltyLastN,
        Number(seed & 0xffffffffn), Number(seed >> 32n), o.maxTokens, o.addSpecial ? TOK_ADD_SPECIAL : 0, stopPtrs, stops.length);
      const st = typeof prompt === 'string' ? c.withString(prompt, (p, n) => begin(p, n, 0))
        : c.withBytes(new Uint8Array(prompt.buffer, prompt.byteOffset, prompt.byteLength), (p) => begin(p, prompt.length, 1));
      c.check(st, () => c.str(m._mn_ctx_error(ctx)));
      const cap = m._mn_gen_piece_bound(ctx) >>> 0;
      dst = c.alloc(cap);
      const slots = state.slots;
      const isAborted = () => aborted.has(id) || (abortFlag !== null && Atomics.load(abortFlag, 0) === id);
      let sent = 0;
      for (;;) {
        // flow control: stay at most GEN_WINDOW pieces ahead of the caller, so
        // an abort sent when it has seen n pieces stops near n
        while (!isAborted() && sent - (acked.get(id) ?? 0) >= GEN_WINDOW) await new Promise((r) => { ackWake = r; });
        if (isAborted()) break;
        c.check(m._mn_gen_next(ctx, dst, cap, slots, slots + 4, slots + 8), () => c.str(m._mn_ctx_error(ctx)));
        const [len, token, end] = new Int32Array(c.memory.buffer, slots, 3);
        const piece = len ? c.text(dst, len >>> 0) : '';
        text += piece;
        if (token >= 0) tokens.push(token);
        port.post({ id, type: 'piece', text: piece, token });
        sent++;
        if (end) { reason = END[end] ?? `end ${end}`; break; }
        await yieldNow(); // lets an 'abort' message in
      }
      return { text, reason, tokens, stats: genStats(c, ctx) };
    } finally {
      state.running = 0;
      acked.delete(id);
      if (dst) c.free(dst);
      stopBufs.forEach((p) => c.free(p));
      if (stopPtrs) c.free(stopPtrs);
    }
  });
}

function genStats(c, ctx) {
  const out = c.alloc(32);
  try {
    c.mod._mn_wasm_gen_stats(ctx, out);
    const [promptTokens, generatedTokens, promptMs, decodeMs] = new Float64Array(c.memory.buffer, out, 4);
    return {
      promptTokens, generatedTokens, promptMs, decodeMs,
      decodeTokensPerSecond: decodeMs > 0 ? generatedTokens / (decodeMs / 1000) : 0,
      promptTokensPerSecond: promptMs > 0 ? promptTokens / (promptMs / 1000) : 0,
    };
  } finally { c.free(out); }
}

function tokenize({ text, addSpecial, parseSpecial }) {
  needModel();
  const c = core, m = c.mod, tok = state.tok;
  const flags = (addSpecial ? TOK_ADD_SPECIAL : 0) | (parseSpecial ? TOK_PARSE_SPECIAL : 0);
  return c.withString(text, (p, n) => {
    const cap = c.checkSize(m._mn_tokenizer_encode_bound(tok, n));
    const ids = c.alloc(4 * cap), offs = c.alloc(8 * cap);
    try {
      const count = c.checkSize(m._mn_tokenizer_encode_offsets(tok, ids, offs, cap, p, n, flags), () => c.str(m._mn_tokenizer_error(tok)));
      return {
        ids: new Int32Array(c.memory.buffer.slice(ids, ids + 4 * count)),
        offsets: new Uint32Array(c.memory.buffer.slice(offs, offs + 8 * count)),
      };
    } finally { c.free(ids); c.free(offs); }
  });
}

function detokenize({ ids, skipSpecial }) {
  needModel();
  const c = core, m = c.mod, tok = state.tok;
  const flags = skipSpecial ? TOK_SKIP_SPECIAL : 0;
  return c.withBytes(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength), (p) => {
    const msg = () => c.str(m._mn_tokenizer_error(tok));
    const n = c.checkSize(m._mn_tokenizer_decode(tok, 0, 0, p, ids.length, flags), msg);
    const dst = c.alloc(n);
    try {
      const got = c.checkSize(m._mn_tokenizer_decode(tok, dst, n, p, ids.length, flags), msg);
      return c.text(dst, got);
    } finally { c.free(dst); }
  });
}

// ------------------------------------------------------------ memory, dispose
function memory() {
  const c = needCore();
  return { wasmBytes: c.heapBytes(), heapUsed: c.heapUsed(), heapUsedAtStart: c.heapUsedAtStart, limit: state.limit };
}

function freeModel() {
  const m = core.mod;
  if (state.ctx) m._mn_ctx_free(state.ctx);
  if (state.model) m._mn_model_free(state.model); // frees its GGUF too
  if (state.gguf) core.ggufFree(state.gguf);
  if (state.keysTok) core.tokenizerFree(state.keysTok);
  if (state.slots) core.free(state.slots);
  if (state.fileScratch) core.free(state.fileScratch);
  Object.assign(state, { gguf: 0, keysTok: 0, model: 0, ctx: 0, tok: 0, slots: 0, fileScratch: 0, repacked: false });
}

async function dispose() {
  if (!core) return { heapUsed: 0, heapUsedAtStart: 0 };
  if (state.running) { aborted.add(state.running); ackWake?.(); }
  // both read the file in wasm memory
  if (state.id) { state.id.stop(); await state.id.promise.catch(() => {}); }
  if (state.caching) { state.caching.stop(); await state.caching.done; }
  await busy;
  freeModel();
  state.hold.forEach((p) => core.free(p));
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
