// minnow core: one wasm instance of the C core, in Node or in a worker.
//
// Contract:
//  - loadCore() picks build/wasm/mt (pthreads) when threads are usable here
//    (Node: always; browser: only when cross-origin isolated) and
//    build/wasm/st otherwise, and says which it picked (core.flavour).
//  - It creates the wasm memory itself (the build imports it): 16 MiB to start,
//    growing up to `memoryLimit` (default and at most wasm32's 4 GiB), shared
//    for mt. Views are made fresh from that memory on every use, because a
//    grown shared memory is a new SharedArrayBuffer.
//  - Every C status other than MN_OK becomes a MinnowError carrying the C code,
//    its name (e.g. "MN_E_NOMEM") and the C message (the handle's own message
//    when there is one).
//  - Pointers and sizes cross as unsigned 32-bit numbers (>>> 0), so wasm
//    addresses above 2 GiB stay positive; 64-bit values cross as doubles
//    (wasm/wasm_api.c).
//  - In a browser the core lives in a worker (js/worker.js): the main thread
//    never instantiates wasm.
const isNode = typeof process === 'object' && !!process.versions?.node;

export const PAGE_BYTES = 65536;
export const INITIAL_MEMORY = 16 * 1024 * 1024; // = -sINITIAL_MEMORY (CMakeLists.txt)
export const WASM32_MAX_BYTES = 4 * 1024 * 1024 * 1024;
const ABI_VERSION = 3; // = MN_WASM_ABI_VERSION (wasm/wasm_api.c)

// Status codes JS raises itself (numbers as in src/minnow.h).
export const Status = Object.freeze({
  MN_E_INVALID_ARG: 1, MN_E_NOMEM: 2, MN_E_IO: 3, MN_E_CORRUPT: 5, MN_E_UNSUPPORTED: 6,
  MN_E_THREADS: 7, MN_E_STATE: 10, MN_E_ID_MISMATCH: 11,
});

export class MinnowError extends Error {
  constructor(code, status, message) {
    super(`${message} (${status})`);
    this.name = 'MinnowError';
    this.code = code;
    this.status = status;
    this.detail = message;
  }
}

// A MinnowError from one of the codes in Status.
export function mnError(status, message) {
  return new MinnowError(Status[status], status, message);
}

// The error an abort rejects with: the signal's reason, else an AbortError.
export function abortError(signal) {
  return signal?.reason ?? (typeof DOMException === 'function'
    ? new DOMException('the operation was aborted', 'AbortError')
    : Object.assign(new Error('the operation was aborted'), { name: 'AbortError' }));
}

// The chunks of a byte stream; onCancel(fn) receives a function that cancels it.
export async function* streamChunks(stream, onCancel) {
  const reader = stream.getReader();
  onCancel?.((why) => reader.cancel(why).catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally { reader.releaseLock(); }
}

// The chunks of a byte stream read into buffers of our own: with a BYOB reader
// where the stream is a byte stream (fetch and Blob bodies in browsers), else
// as the stream delivers them. While `it.reuse` is true every chunk is a view
// of one recycled buffer, valid only until the next chunk is asked for: no
// allocation per chunk (a fetch body read this way costs the browser's worker
// thread a third less CPU than fresh chunks). Set it false to keep chunks.
export const BYOB_BYTES = 1 << 20;
export function byteChunks(stream, onCancel) {
  let reader = null, byob = false;
  try { reader = stream.getReader({ mode: 'byob' }); byob = true; } catch { reader = stream.getReader(); }
  onCancel?.((why) => reader.cancel(why).catch(() => {}));
  let spare = null, done = false;
  const it = {
    reuse: true,
    async next() {
      if (done) return { done: true, value: undefined };
      try {
        let r;
        if (byob) {
          const buf = (it.reuse && spare) || new ArrayBuffer(BYOB_BYTES);
          spare = null;
          r = await reader.read(new Uint8Array(buf));
          if (!r.done && it.reuse) spare = r.value.buffer; // the buffer comes back (transferred) with the bytes
        } else r = await reader.read();
        if (r.done) { done = true; reader.releaseLock(); return { done: true, value: undefined }; }
        return { done: false, value: r.value };
      } catch (e) { done = true; reader.releaseLock(); throw e; }
    },
    async return() {
      if (!done) { done = true; await reader.cancel().catch(() => {}); reader.releaseLock(); }
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() { return it; },
  };
  return it;
}

export function simdSupported() {
  // the smallest module using a v128 local: (func (local v128))
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0,
    10, 9, 1, 7, 1, 1, 123, 65, 0, 26, 11]);
  try { return WebAssembly.validate(bytes); } catch { return false; }
}

// Why threads are unusable here, or '' when they are usable.
export function threadsUnavailableReason() {
  if (typeof SharedArrayBuffer === 'undefined') {
    return isNode ? 'this Node has no SharedArrayBuffer'
      : 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (!isNode && globalThis.crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  return '';
}
export function threadsUsable() { return threadsUnavailableReason() === ''; }

// Build selection: which flavour (mt/st) and how many threads for `threads`
// ('auto' | number | boolean). Throws a MinnowError when SIMD is missing or
// threads were asked for and cannot be had. For 'auto' (auto: true) `threads`
// is the most a model may use (one per core, at most THREADS_MAX): load()
// starts that many and the model uses as many as its size warrants
// (js/worker.js autoThreads).
export function selectBuild(threads = 'auto', { cores } = {}) {
  if (!simdSupported()) {
    throw mnError('MN_E_UNSUPPORTED', 'this runtime lacks WebAssembly SIMD128, which minnow requires (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+)');
  }
  const why = threadsUnavailableReason();
  const n = cores ?? hardwareThreads();
  if (threads === 'auto' || threads === undefined || threads === null || threads === true) {
    if (why) {
      if (threads === true) throw mnError('MN_E_THREADS', `threads are unavailable: ${why}`);
      return { flavour: 'st', threads: 1, reason: why, auto: true };
    }
    return { flavour: 'mt', threads: Math.max(1, Math.min(n, THREADS_MAX)), reason: '', auto: true };
  }
  if (threads === false || threads === 1) return { flavour: 'st', threads: 1, reason: 'threads: 1 asked', auto: false };
  if (!Number.isInteger(threads) || threads < 1 || threads > THREADS_MAX) {
    throw mnError('MN_E_INVALID_ARG', `threads must be 'auto' or 1..${THREADS_MAX}, not ${threads}`);
  }
  if (why) throw mnError('MN_E_THREADS', `${threads} threads asked, but threads are unavailable: ${why}`);
  return { flavour: 'mt', threads, reason: '', auto: false };
}
export const THREADS_MAX = 8; // = mn_threads_max() on wasm/mt (src/core/pool.c)

// threads: 'auto' after the load: the compute threads a model of weightBytes
// uses out of a pool of `pool` (the cores): one per AUTO_BYTES_PER_THREAD of
// weights, at least 1. Each matrix product of a token is one parallel job, and
// a job costs a wake-up and a wait on every thread: with less work per thread
// than ~150 KB of weights per matrix, that costs more than it saves
// (stories260K, 1.1 MB: 2 threads decode 2x slower than 1; docs/js.md).
export const AUTO_BYTES_PER_THREAD = 32 * 1024 * 1024;
export function autoThreads(weightBytes, pool) {
  return Math.max(1, Math.min(pool, Math.floor(weightBytes / AUTO_BYTES_PER_THREAD)));
}

function hardwareThreads() {
  if (typeof navigator === 'object' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  return 1;
}

// The Emscripten factory of one flavour, and its compiled wasm module: the
// module given (compiled before, by this or another worker), else compiled
// here — in browsers by streaming compilation started before the glue script
// is even fetched, so download, compile and script loading overlap.
async function factoryFor(flavour, base, module) {
  if (isNode) {
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const dir = base ? (base.startsWith('file:') ? fileURLToPath(base) : base)
      : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'wasm', flavour);
    const compiled = module ? Promise.resolve(module) : readFile(path.join(dir, 'minnow.wasm')).then((b) => WebAssembly.compile(b));
    compiled.catch(() => {});
    const require = createRequire(import.meta.url);
    return { factory: require(path.join(dir, 'minnow.js')), compiled, args: {} };
  }
  if (typeof importScripts !== 'function' || typeof window === 'object') {
    throw mnError('MN_E_UNSUPPORTED', 'in a browser the core runs in a worker: use minnow.load(), which starts one');
  }
  const url = new URL('minnow.js', base ?? new URL(`../build/wasm/${flavour}/`, import.meta.url)).href;
  const dir = url.slice(0, url.lastIndexOf('/') + 1);
  const compiled = module ? Promise.resolve(module) : compileUrl(dir + 'minnow.wasm');
  compiled.catch(() => {});
  if (typeof self.createMinnowModule !== 'function') importScripts(url); // a classic worker (js/worker-boot.js)
  // pthread workers import the same script: tell them where it is
  return { factory: self.createMinnowModule, compiled, args: { locateFile: (p) => dir + p, mainScriptUrlOrBlob: url } };
}

async function compileUrl(url) {
  const resp = await fetch(url, { credentials: 'same-origin' });
  if (!resp.ok) throw mnError('MN_E_IO', `HTTP ${resp.status} ${resp.statusText} fetching ${url}`);
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/.test(resp.headers.get('content-type') ?? '')) {
    return WebAssembly.compileStreaming(resp);
  }
  return WebAssembly.compile(await resp.arrayBuffer()); // served without the wasm MIME type
}

// Instantiate the core. threads: as selectBuild(); memoryLimit: most bytes the
// wasm memory may grow to (default 4 GiB); wasmBase: folder of minnow.js;
// module: the build's compiled WebAssembly.Module (core.module of an earlier
// core of the same flavour and place), which skips fetching and compiling.
export async function loadCore({ threads = 'auto', flavour, poolThreads, memoryLimit, wasmBase, wasmDir, module } = {}) {
  let sel;
  if (flavour) sel = { flavour, threads: poolThreads ?? (flavour === 'mt' ? 4 : 1) };
  else {
    sel = selectBuild(threads, { cores: isNode ? (await import('node:os')).cpus().length : undefined });
    // a Node caller of loadCore() gets a pool big enough for any count it may pass
    if (isNode && threads === 'auto' && sel.flavour === 'mt') sel.threads = Math.max(sel.threads, 4);
  }
  if (!simdSupported()) selectBuild(); // throws the SIMD error
  const limit = memoryLimit == null ? WASM32_MAX_BYTES : Math.min(WASM32_MAX_BYTES, memoryLimit);
  if (!(limit >= INITIAL_MEMORY)) {
    throw mnError('MN_E_INVALID_ARG', `memoryLimit must be at least ${INITIAL_MEMORY} bytes`);
  }
  const memory = new WebAssembly.Memory({
    initial: INITIAL_MEMORY / PAGE_BYTES, maximum: Math.floor(limit / PAGE_BYTES), shared: sel.flavour === 'mt',
  });
  const { factory, compiled, args } = await factoryFor(sel.flavour, wasmBase ?? wasmDir, module);
  let failed;
  const failure = new Promise((_, reject) => { failed = reject; });
  const mod = await Promise.race([failure, factory({
    ...args, wasmMemory: memory,
    // wasm/mt: at least one pool worker, even for one thread (Emscripten 3.1.6
    // waits for the pool to load the module and never finishes with none)
    pthreadPoolSize: Math.max(1, sel.threads - 1),
    // instantiate the compiled module (Emscripten hands it on to its pthread workers)
    instantiateWasm(imports, receive) {
      compiled.then((m) => WebAssembly.instantiate(m, imports).then((inst) => receive(inst, m))).catch(failed);
      return {};
    },
    print: () => {}, printErr: (s) => console.error(s),
  })]);
  const core = new Core(mod, sel.flavour, memory, sel.threads);
  core.module = await compiled;
  return core;
}

const utf8 = new TextEncoder();
const utf8dec = new TextDecoder('utf-8', { fatal: false });

export class Core {
  constructor(mod, flavour, memory, threads = 1) {
    this.mod = mod;
    this.flavour = flavour;
    this.memory = memory;
    this.threads = threads;
    if (mod._mn_wasm_abi_version() !== ABI_VERSION) throw new Error('minnow: wasm ABI mismatch, rebuild build/wasm');
    this.heapUsedAtStart = this.heapUsed();
  }

  // Stop the pthread workers (wasm/mt): without this a Node process stays alive.
  // The core is unusable afterwards.
  dispose() {
    this.mod?.PThread?.terminateAllThreads?.();
    this.mod = null;
  }

  // ---- low-level helpers
  str(ptr) { return this.mod.UTF8ToString(ptr >>> 0); }
  u8() { return new Uint8Array(this.memory.buffer); } // fresh view: memory may have grown
  u32(ptr) { return new Uint32Array(this.memory.buffer, ptr, 1)[0]; }
  // UTF-8 bytes at [ptr, ptr+n) as a string (copied first: TextDecoder refuses shared memory)
  text(ptr, n) { return utf8dec.decode(this.u8().slice(ptr, ptr + n)); }
  error(status, message) {
    const name = this.str(this.mod._mn_status_name(status));
    return new MinnowError(status, name, message || this.str(this.mod._mn_status_message(status)));
  }
  check(status, message) {
    if (status !== 0) throw this.error(status, typeof message === 'function' ? message() : message);
  }
  checkSize(result, message) {
    const r = result >>> 0;
    if (this.mod._mn_is_error(r)) this.check(this.mod._mn_error_code(r), message);
    return r;
  }
  alloc(n) {
    const p = this.mod._mn_malloc(Math.max(1, n)) >>> 0;
    if (p === 0) throw new MinnowError(2, 'MN_E_NOMEM', `out of memory allocating ${n} bytes in wasm`);
    return p;
  }
  free(p) { this.mod._mn_free(p); }
  withBytes(bytes, fn) {
    const p = this.alloc(bytes.length);
    try {
      this.u8().set(bytes, p);
      return fn(p);
    } finally { this.free(p); }
  }
  withString(s, fn) { const b = utf8.encode(s); return this.withBytes(b, (p) => fn(p, b.length)); }
  // Run fn(slotPtr) with a zeroed 4-byte out-slot; returns the pointer written there.
  outPtr(fn) {
    const slot = this.alloc(4);
    try {
      new Uint32Array(this.memory.buffer, slot, 1)[0] = 0;
      fn(slot);
      return this.u32(slot);
    } finally { this.free(slot); }
  }
  // Run fn(errPtr, errCap) with a message buffer; returns [result, message].
  withErr(fn) {
    const cap = 512, p = this.alloc(cap);
    try {
      this.u8()[p] = 0;
      const r = fn(p, cap);
      return [r, this.str(p)];
    } finally { this.free(p); }
  }

  // ---- build info
  version() { return this.str(this.mod._mn_version()); }
  target() { return this.str(this.mod._mn_target()); }
  simdBackend() { return this.str(this.mod._mn_simd_backend()); }
  threadsMax() { return this.mod._mn_threads_max(); }
  heapBytes() { return this.mod._mn_wasm_heap_bytes(); }
  heapUsed() { return this.mod._mn_wasm_heap_used(); }
  capabilities() {
    const cap = 512, p = this.alloc(cap);
    try {
      this.checkSize(this.mod._mn_capabilities(p, cap));
      return { ...JSON.parse(this.str(p)), flavour: this.flavour };
    } finally { this.free(p); }
  }
  selftest(threads = 1) {
    const cap = 2048, p = this.alloc(cap);
    try {
      const st = this.mod._mn_selftest(threads, p, cap);
      return { ok: st === 0, status: st, report: this.str(p) };
    } finally { this.free(p); }
  }

  // ---- hashing
  blake2b(data, { length = 32, key } = {}) {
    const bytes = data instanceof Uint8Array ? data : utf8.encode(String(data));
    const out = this.alloc(length);
    try {
      const run = (src, k, kn) => this.check(this.mod._mn_blake2b(out, length, src, bytes.length, k, kn));
      this.withBytes(bytes, (src) => (key ? this.withBytes(key, (k) => run(src, k, key.length)) : run(src, 0, 0)));
      return this.u8().slice(out, out + length);
    } finally { this.free(out); }
  }
  // Incremental BLAKE2b-256 (a model id): update(ptr, n) hashes wasm memory in place.
  hasher() {
    const h = this.outPtr((slot) => this.check(this.mod._mn_hasher_create(slot, 32)));
    const core = this;
    return {
      update(ptr, n) {
        const st = core.mod._mn_hasher_update(h, ptr, n);
        if (st) throw core.error(st, core.str(core.mod._mn_hasher_error(h)));
      },
      hex() {
        const out = core.alloc(32);
        try {
          core.check(core.mod._mn_hasher_final(h, out, 32));
          return toHex(core.u8().subarray(out, out + 32));
        } finally { core.free(out); }
      },
      free() { core.mod._mn_hasher_free(h); },
    };
  }
  // Model id (BLAKE2b-256, hex) of bytes arriving in chunks (any iterable or async iterable of Uint8Array).
  async modelId(chunks) {
    const h = this.hasher();
    try {
      for await (const chunk of chunks) this.withBytes(chunk, (p) => h.update(p, chunk.length));
      return h.hex();
    } finally { h.free(); }
  }

  // ---- GGUF streaming loader: chunks are written straight into the
  // loader's buffer in wasm memory (reserve -> write -> commit).
  ggufLoader(sizeHint = 0) {
    const core = this, m = this.mod;
    const l = this.outPtr((slot) => this.check(m._mn_wasm_gguf_loader_create(slot, sizeHint, 0),
      () => `cannot allocate ${sizeHint} bytes of wasm memory for the model (wasm memory is ${core.heapBytes()} bytes, ${core.heapUsed()} in use)`));
    const fail = (st) => { throw core.error(st, core.str(m._mn_gguf_loader_error(l))); };
    return {
      // a destination for n bytes, valid until the next loader call
      reserve(n) {
        const p = core.outPtr((slot) => { const st = m._mn_gguf_loader_reserve(l, n, slot); if (st) fail(st); });
        return p;
      },
      commit(n) { const st = m._mn_gguf_loader_commit(l, n); if (st) fail(st); },
      size() { return m._mn_wasm_gguf_loader_size(l); },
      // a handle on the file's keys alone (no tensors; free it with ggufFree
      // before the next loader call), or 0 while they have not all arrived
      metadata() {
        let st = 0;
        const g = core.outPtr((slot) => { st = m._mn_gguf_loader_metadata(l, slot); });
        return st ? 0 : g;
      },
      finish() { return core.outPtr((slot) => { const st = m._mn_gguf_loader_finish(l, slot); if (st) fail(st); }); },
      free() { m._mn_gguf_loader_free(l); },
    };
  }
  ggufFree(g) { this.mod._mn_gguf_free(g); }
  // The tokenizer of a GGUF's keys (mn_tokenizer_create_gguf), or 0 when it cannot be built.
  tokenizerFromGguf(g) {
    let st = 0;
    const t = this.outPtr((slot) => { st = this.mod._mn_tokenizer_create_gguf(slot, g, 0, 0); });
    return st ? 0 : t;
  }
  tokenizerFree(t) { this.mod._mn_tokenizer_free(t); }
  // [pointer, size] of the file bytes a GGUF handle holds
  ggufBytes(g) {
    const slot = this.alloc(4);
    try {
      const p = this.mod._mn_gguf_bytes(g, slot) >>> 0;
      return [p, this.u32(slot)];
    } finally { this.free(slot); }
  }
  // A string metadata value, or undefined when absent or not a string.
  ggufString(g, key) {
    const m = this.mod;
    return this.withString(key + '\0', (k) => {
      const slot = this.alloc(8);
      try {
        if (m._mn_gguf_find_key(g, k, slot) !== 0) return undefined;
        const kid = this.u32(slot);
        if (m._mn_gguf_get_str(g, kid, slot, slot + 4) !== 0) return undefined;
        const u = new Uint32Array(this.memory.buffer, slot, 2);
        return this.text(u[0], u[1]);
      } finally { this.free(slot); }
    });
  }
  ggufCounts(g) { return { tensors: this.mod._mn_gguf_n_tensors(g) >>> 0, keys: this.mod._mn_gguf_n_kv(g) >>> 0 }; }

  // ---- kernels
  // dst[r] = dot(W[r,:], x); W: Float32Array [rows*cols], x: [cols]; bit-identical for any thread count.
  matvecF32(W, x, rows, cols, { threads = 1 } = {}) {
    if (W.length !== rows * cols || x.length !== cols) throw new RangeError('matvecF32: shape mismatch');
    let pool = 0;
    const pw = this.alloc(W.byteLength), px = this.alloc(x.byteLength), py = this.alloc(rows * 4);
    try {
      pool = this.outPtr((slot) => this.check(this.mod._mn_pool_create(slot, threads)));
      this.u8().set(new Uint8Array(W.buffer, W.byteOffset, W.byteLength), pw);
      this.u8().set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), px);
      this.check(this.mod._mn_matvec_f32(pool, py, rows, pw, cols, px));
      return new Float32Array(this.u8().slice(py, py + rows * 4).buffer);
    } finally {
      if (pool) this.mod._mn_pool_free(pool);
      [pw, px, py].forEach((p) => this.free(p));
    }
  }
}

export function toHex(u8) {
  let s = '';
  for (const b of u8) s += b.toString(16).padStart(2, '0');
  return s;
}
