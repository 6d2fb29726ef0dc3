// The JS core API on both wasm flavours (node --test).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadCore, MinnowError, simdSupported } from '../../js/index.js';
import { byteChunks, BYOB_BYTES } from '../../js/core.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared');
const goldenIds = Object.fromEntries(readFileSync(path.join(root, 'tests/golden/model-ids.txt'), 'utf8')
  .trim().split('\n').map((l) => l.split(/\s+/)).map(([h, f]) => [f, h]));

function seeded(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = ((s | 0) >> 8) * 2 ** -23; }
  return out;
}

test('SIMD128 is detected', () => assert.equal(simdSupported(), true));

test('byteChunks: byte streams read into one recycled buffer (unless told to keep chunks), others as they come', async () => {
  const data = new Uint8Array(3 * BYOB_BYTES + 12345).map((_, i) => (i * 7 + (i >> 11)) & 255);
  const source = (type) => {
    let off = 0;
    return new ReadableStream({
      type,
      pull(c) {
        if (off >= data.length) { c.close(); c.byobRequest?.respond(0); return; }
        const n = Math.min(300000, data.length - off);
        c.enqueue(data.slice(off, off + n));
        off += n;
      },
    });
  };
  for (const [type, reuse] of [['bytes', true], ['bytes', false], [undefined, true]]) {
    const it = byteChunks(source(type));
    it.reuse = reuse;
    const chunks = [], parts = [];
    for await (const c of it) { chunks.push(c); parts.push(c.slice()); }
    const got = new Uint8Array(data.length);
    let o = 0;
    for (const p of parts) { got.set(p, o); o += p.length; }
    assert.equal(o, data.length);
    assert.deepEqual(got, data, `${type} reuse ${reuse}: the same bytes`);
    // recycled: each chunk's buffer was handed (transferred) to the next read, so all are detached
    const detached = chunks.filter((c) => c.buffer.byteLength === 0).length;
    assert.ok(parts.length > 3);
    assert.equal(detached, type === 'bytes' && reuse ? parts.length : 0, `${type} reuse ${reuse}`);
  }
  // breaking out cancels the stream
  let cancelled = false;
  const s = new ReadableStream({ type: 'bytes', pull(c) { c.enqueue(new Uint8Array(10)); }, cancel() { cancelled = true; } });
  for await (const c of byteChunks(s)) { assert.equal(c.length, 10); break; }
  assert.equal(cancelled, true);
});

for (const threads of [1, 2]) {
  describe(`wasm ${threads === 1 ? 'st' : 'mt'}`, () => {
    let core;
    after(() => core?.dispose());
    test('loads and reports its build', async () => {
      core = await loadCore({ threads });
      assert.equal(core.flavour, threads === 1 ? 'st' : 'mt');
      assert.equal(core.version(), JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
      const caps = core.capabilities();
      assert.equal(caps.simd, 'wasm-simd128');
      assert.equal(caps.target, threads === 1 ? 'wasm-st' : 'wasm-mt');
      assert.equal(caps.threads, threads !== 1);
      assert.equal(caps.pointer_bits, 32);
    });

    test('selftest passes', () => {
      const r = core.selftest(threads);
      assert.ok(r.ok, r.report);
      assert.match(r.report, /bit-identical/);
    });

    test('BLAKE2b known answers, keyed and unkeyed', () => {
      const hex = (u8) => Buffer.from(u8).toString('hex');
      assert.equal(hex(core.blake2b('abc')), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
      assert.equal(hex(core.blake2b(new Uint8Array(0), { length: 64 })),
        '786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce');
      const key = Uint8Array.from({ length: 64 }, (_, i) => i);
      assert.equal(hex(core.blake2b(new Uint8Array([0]), { length: 64, key })),
        '961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd');
    });

    test('C errors arrive as MinnowError with code and name', () => {
      assert.throws(() => core.blake2b('x', { length: 8 }), (e) => e instanceof MinnowError && e.code === 1 && e.status === 'MN_E_INVALID_ARG');
    });

    test('model id of a real file streamed in chunks matches the golden id', async () => {
      const file = 'models/stories260K/stories260K.gguf';
      const bytes = readFileSync(path.join(shared, file));
      const chunks = function* () { for (let i = 0; i < bytes.length; i += 65537) yield bytes.subarray(i, i + 65537); };
      assert.equal(await core.modelId(chunks()), goldenIds[file]);
    });

    test('parallel matvec: same bits on 1 and 2 workers, and as the native golden', () => {
      const rows = 67, cols = 1023;
      const W = seeded(rows * cols, 7), x = seeded(cols, 8);
      const y1 = core.matvecF32(W, x, rows, cols, { threads: 1 });
      const y2 = core.matvecF32(W, x, rows, cols, { threads });
      assert.deepEqual(new Uint8Array(y2.buffer), new Uint8Array(y1.buffer));
      // against a float64 dot: the f32 result must be close
      for (let r = 0; r < rows; r += 11) {
        let s = 0; for (let c = 0; c < cols; c++) s += W[r * cols + c] * x[c];
        assert.ok(Math.abs(s - y1[r]) < 1e-3 * (1 + Math.abs(s)), `row ${r}`);
      }
      if (threads === 1) assert.throws(() => core.matvecF32(W, x, rows, cols, { threads: 2 }), /MN_E_THREADS/);
    });

    test('out of memory is an error, not an abort, and the heap still works', () => {
      assert.throws(() => core.alloc(4294967295 - 65536), (e) => e.status === 'MN_E_NOMEM');
      const held = [];
      for (;;) { const p = core.mod._mn_malloc(512 * 1024 * 1024) >>> 0; if (!p) break; held.push(p); if (held.length > 9) break; }
      assert.ok(held.length <= 8, 'wasm32 cannot hold 5 GiB');
      held.forEach((p) => core.free(p));
      assert.ok(core.heapBytes() > 2 ** 31 || held.length < 4, 'addresses above 2 GiB are handled as unsigned');
      assert.equal(Buffer.from(core.blake2b('abc')).toString('hex').slice(0, 8), 'bddd813c');
    });
  });
}
