// scripts/lib/serve.mjs (scripts/serve): the isolation headers on and off,
// no-store, only the served folders, no way out of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, defaultShared } from '../../scripts/lib/serve.mjs';

for (const isolate of [true, false]) {
  test(`serve, ${isolate ? 'isolated' : 'not isolated'}`, async () => {
    const seen = [];
    const s = await startServer({ port: 0, isolate, onRequest: (r) => seen.push(`${r.status} ${r.path}`) });
    try {
      const get = (p) => fetch(s.url + p, { redirect: 'manual' });
      const page = await get('/web/');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type'), /^text\/html/);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.equal(page.headers.get('cross-origin-opener-policy'), isolate ? 'same-origin' : null);
      assert.equal(page.headers.get('cross-origin-embedder-policy'), isolate ? 'require-corp' : null);
      assert.match((await get('/js/index.js')).headers.get('content-type'), /^text\/javascript/);
      assert.equal((await get('/build/wasm/st/minnow.wasm')).headers.get('content-type'), 'application/wasm');
      const model = await get('/shared/models/stories260K/stories260K.gguf');
      assert.equal(Number(model.headers.get('content-length')), statSync(path.join(defaultShared, 'models/stories260K/stories260K.gguf')).size);
      assert.equal((await model.arrayBuffer()).byteLength, Number(model.headers.get('content-length')));
      assert.equal((await get('/')).headers.get('location'), '/web/');
      for (const p of ['/src/minnow.h', '/package.json', '/shared/..%2f..%2fetc/passwd', '/web/..%2f..%2f..%2fetc%2fpasswd', '/js/%2e%2e/src/minnow.h']) {
        const r = await get(p);
        assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`);
      }
      assert.equal((await fetch(s.url + '/web/', { method: 'POST' })).status, 405);
      assert.ok(seen.includes('200 /shared/models/stories260K/stories260K.gguf'));
    } finally { await s.close(); }
  });
}

// Range: one byte range is answered 206 with its bytes (from disk and from
// memory), an unsatisfiable one 416, anything else with the whole file;
// ranges: false serves a server that does not do ranges.
test('serve, Range requests', async () => {
  const rel = 'models/stories260K/stories260K.gguf';
  const whole = new Uint8Array(readFileSync(path.join(defaultShared, rel)));
  const size = whole.length;
  for (const [opts, url] of [[{}, `/shared/${rel}`], [{ filesInMemory: true, files: { '/m.gguf': path.join(defaultShared, rel) } }, '/m.gguf']]) {
    const seen = [];
    const s = await startServer({ port: 0, isolate: false, ...opts, onRequest: (r) => seen.push(r) });
    try {
      const get = (range) => fetch(s.url + url, { headers: range ? { Range: range } : {} });
      const plain = await get();
      assert.equal(plain.headers.get('accept-ranges'), 'bytes');
      assert.equal((await plain.arrayBuffer()).byteLength, size);
      for (const [range, a, b] of [['bytes=0-99', 0, 100], [`bytes=100-${size + 5}`, 100, size], ['bytes=1000-', 1000, size], ['bytes=-10', size - 10, size], [`bytes=${size - 1}-${size - 1}`, size - 1, size]]) {
        const r = await get(range);
        assert.equal(r.status, 206, range);
        assert.equal(r.headers.get('content-range'), `bytes ${a}-${b - 1}/${size}`, range);
        assert.equal(Number(r.headers.get('content-length')), b - a, range);
        assert.deepEqual(new Uint8Array(await r.arrayBuffer()), whole.subarray(a, b), range);
      }
      const bad = await get(`bytes=${size}-`);
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), `bytes */${size}`);
      await bad.arrayBuffer();
      for (const ignored of ['bytes=5-2', 'bytes=0-1,5-6', 'items=0-1', 'bytes=-']) {
        const r = await get(ignored);
        assert.equal(r.status, 200, ignored);
        assert.equal((await r.arrayBuffer()).byteLength, size, ignored);
      }
      assert.deepEqual(seen.filter((r) => r.status === 206).map((r) => r.range)[0], [0, 100]);
    } finally { await s.close(); }
  }
  const s = await startServer({ port: 0, isolate: false, ranges: false });
  try {
    const r = await fetch(`${s.url}/shared/${rel}`, { headers: { Range: 'bytes=0-99' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('accept-ranges'), null);
    assert.equal((await r.arrayBuffer()).byteLength, size);
  } finally { await s.close(); }
});
