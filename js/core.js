// minnow core loader: one wasm instance of the C core, in Node or a worker.
//
// Contract:
//  - loadCore() picks build/wasm/mt (pthreads) when threads are usable here
//    (Node: always; browser: only when cross-origin isolated) and
//    build/wasm/st otherwise, and says which it picked (core.flavour).
//  - Every C status other than MN_OK becomes a MinnowError carrying the C code,
//    its name (e.g. "MN_E_NOMEM") and the C message.
//  - Pointers and sizes cross as unsigned 32-bit numbers (>>> 0), so wasm
//    addresses above 2 GiB stay positive.
const isNode = typeof process === 'object' && !!process.versions?.node;

export class MinnowError extends Error {
  constructor(code, name, message) {
    super(`${message} (${name})`);
    this.name = 'MinnowError';
    this.code = code;
    this.status = name;
  }
}

export function simdSupported() {
  // the smallest module using a v128 local: (func (local v128))
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0,
    10, 9, 1, 7, 1, 1, 123, 65, 0, 26, 11]);
  try { return WebAssembly.validate(bytes); } catch { return false; }
}

export function threadsUsable() {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (isNode) return true;
  return globalThis.crossOriginIsolated === true;
}

async function nodeFactory(flavour, dir) {
  const { createRequire } = await import('node:module');
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const base = dir ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'wasm', flavour);
  const require = createRequire(import.meta.url);
  const factory = require(path.join(base, 'minnow.js'));
  // Emscripten 3.1.6 would fetch() the .wasm by path under Node >= 18: give it the bytes.
  const wasmBinary = await readFile(path.join(base, 'minnow.wasm'));
  return { factory, wasmBinary };
}

export async function loadCore({ threads = 'auto', wasmDir } = {}) {
  if (!simdSupported()) {
    throw new MinnowError(6, 'MN_E_UNSUPPORTED', 'this runtime lacks WebAssembly SIMD128, which minnow requires');
  }
  const wantThreads = threads === 'auto' ? threadsUsable() : threads !== 1 && threads !== false;
  if (wantThreads && !threadsUsable()) {
    throw new MinnowError(7, 'MN_E_THREADS', 'threads need SharedArrayBuffer (in a browser: a cross-origin isolated page)');
  }
  const flavour = wantThreads ? 'mt' : 'st';
  if (!isNode) throw new MinnowError(6, 'MN_E_UNSUPPORTED', 'the browser loader arrives with the worker layer (js/worker.js)');
  const { factory, wasmBinary } = await nodeFactory(flavour, wasmDir);
  const mod = await factory({ wasmBinary, print: () => {}, printErr: (s) => console.error(s) });
  return new Core(mod, flavour);
}

export class Core {
  constructor(mod, flavour) {
    this.mod = mod;
    this.flavour = flavour;
    if (mod._mn_wasm_abi_version() !== 1) throw new Error('minnow: wasm ABI mismatch, rebuild build/wasm');
  }

  // Stop the pthread workers (wasm/mt): without this a Node process stays alive.
  // The core is unusable afterwards.
  dispose() {
    this.mod.PThread?.terminateAllThreads?.();
    this.mod = null;
  }

  // ---- low-level helpers
  str(ptr) { return this.mod.UTF8ToString(ptr >>> 0); }
  u8() { return new Uint8Array(this.mod.HEAPU8.buffer); } // fresh view: memory may have grown
  check(status) {
    if (status !== 0) {
      throw new MinnowError(status, this.str(this.mod._mn_status_name(status)), this.str(this.mod._mn_status_message(status)));
    }
  }
  checkSize(result) {
    const r = result >>> 0;
    if (this.mod._mn_is_error(r)) this.check(this.mod._mn_error_code(r));
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

  // ---- build info
  version() { return this.str(this.mod._mn_version()); }
  target() { return this.str(this.mod._mn_target()); }
  simdBackend() { return this.str(this.mod._mn_simd_backend()); }
  threadsMax() { return this.mod._mn_threads_max(); }
  heapBytes() { return this.mod._mn_wasm_heap_bytes(); }
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
    const bytes = data instanceof Uint8Array ? data : new TextEncoder().encode(String(data));
    const out = this.alloc(length);
    try {
      const run = (src, k, kn) => this.check(this.mod._mn_blake2b(out, length, src, bytes.length, k, kn));
      this.withBytes(bytes, (src) => (key ? this.withBytes(key, (k) => run(src, k, key.length)) : run(src, 0, 0)));
      return this.u8().slice(out, out + length);
    } finally { this.free(out); }
  }
  // Model id (BLAKE2b-256, hex) of bytes arriving in chunks (any iterable or async iterable of Uint8Array).
  async modelId(chunks) {
    const slot = this.alloc(4);
    let h = 0;
    try {
      this.check(this.mod._mn_hasher_create(slot, 32));
      h = new Uint32Array(this.mod.HEAPU8.buffer, slot, 1)[0];
      for await (const chunk of chunks) {
        this.withBytes(chunk, (p) => {
          const st = this.mod._mn_hasher_update(h, p, chunk.length);
          if (st) throw new MinnowError(st, this.str(this.mod._mn_status_name(st)), this.str(this.mod._mn_hasher_error(h)));
        });
      }
      const out = this.alloc(32);
      try {
        this.check(this.mod._mn_hasher_final(h, out, 32));
        return [...this.u8().subarray(out, out + 32)].map((b) => b.toString(16).padStart(2, '0')).join('');
      } finally { this.free(out); }
    } finally {
      if (h) this.mod._mn_hasher_free(h);
      this.free(slot);
    }
  }

  // ---- kernels
  // dst[r] = dot(W[r,:], x); W: Float32Array [rows*cols], x: [cols]; bit-identical for any thread count.
  matvecF32(W, x, rows, cols, { threads = 1 } = {}) {
    if (W.length !== rows * cols || x.length !== cols) throw new RangeError('matvecF32: shape mismatch');
    const slot = this.alloc(4);
    let pool = 0;
    const pw = this.alloc(W.byteLength), px = this.alloc(x.byteLength), py = this.alloc(rows * 4);
    try {
      this.check(this.mod._mn_pool_create(slot, threads));
      pool = new Uint32Array(this.mod.HEAPU8.buffer, slot, 1)[0];
      this.u8().set(new Uint8Array(W.buffer, W.byteOffset, W.byteLength), pw);
      this.u8().set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), px);
      this.check(this.mod._mn_matvec_f32(pool, py, rows, pw, cols, px));
      return new Float32Array(this.u8().slice(py, py + rows * 4).buffer);
    } finally {
      if (pool) this.mod._mn_pool_free(pool);
      [slot, pw, px, py].forEach((p) => this.free(p));
    }
  }
}
