// scripts/lib/serve.mjs (scripts/serve): the isolation headers on and off,
// no-store, only the served folders, no way out of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
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
