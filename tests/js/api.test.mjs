// The model API of js/index.js in Node (node --test): sources, progress,
// expectedId, memory limits, dispose, aborts, several models at once.
// Generation and tokenization have their own suite (api-gen.test.mjs).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, openSync, ftruncateSync, closeSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import * as minnow from '../../js/index.js';
import { startServer } from '../../scripts/lib/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared');
const modelPath = path.join(shared, 'models/stories260K/stories260K.gguf');
const modelBytes = readFileSync(modelPath);
const goldenId = readFileSync(path.join(root, 'tests/golden/model-ids.txt'), 'utf8')
  .split('\n').find((l) => l.endsWith('models/stories260K/stories260K.gguf')).split(/\s+/)[0];
const tmp = mkdtempSync(path.join(tmpdir(), 'minnow-api-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const isNoMem = (e) => e instanceof minnow.MinnowError && e.status === 'MN_E_NOMEM' && e.code === 2;

describe('load: sources, build selection, progress', () => {
  for (const threads of [1, 2]) {
    test(`a path, threads ${threads}: id, build, monotonic byte-accurate progress`, async () => {
      const events = [];
      const m = await minnow.load(modelPath, { threads, onProgress: (p) => events.push(p) });
      try {
        // no id to check: it is computed after the load, not in info
        assert.equal(m.info.id, undefined);
        assert.equal(await m.id(), goldenId);
        assert.equal(m.info.size, modelBytes.length);
        assert.equal(m.info.source, 'file');
        assert.equal(m.info.arch, 'llama');
        assert.equal(m.info.build, threads === 1 ? 'wasm-st' : 'wasm-mt');
        assert.equal(m.info.threads, threads);
        const loads = events.filter((e) => e.phase === 'load');
        assert.ok(loads.length >= 2);
        for (let i = 1; i < loads.length; i++) assert.ok(loads[i].loaded > loads[i - 1].loaded, 'strictly increasing');
        assert.equal(loads.at(-1).loaded, modelBytes.length);
        assert.ok(loads.every((e) => e.total === modelBytes.length));
      } finally { await m.dispose(); }
    });
  }

  test('every load option is checked before anything starts: MN_E_INVALID_ARG naming it', async () => {
    const bad = [
      ['threads', 0], ['threads', 1.5], ['threads', 99], ['threads', 'two'], ['onProgress', 5], ['signal', 'x'],
      ['expectedId', 'abc'], ['expectedId', 5], ['cache', 'yes'], ['memoryLimit', 1], ['memoryLimit', NaN],
      ['contextLength', -1], ['contextLength', 0], ['contextLength', 1.5], ['contextLength', 2 ** 32 - 1], ['contextLength', '512'],
      ['batchSize', 0], ['batchSize', -1], ['wasmBase', 5], ['context_length', 512],
    ];
    for (const [k, v] of bad) {
      await assert.rejects(minnow.load(modelPath, { [k]: v }), (e) => e instanceof minnow.MinnowError && e.status === 'MN_E_INVALID_ARG' &&
        e.message.includes(k), `${k}: ${String(v)}`);
    }
    await assert.rejects(minnow.load(modelPath, { contextLength: -1 }), /contextLength must be a positive integer up to 16777216/);
  });

  test('VERSION is the package\'s and the C core\'s version', async () => {
    assert.equal(minnow.VERSION, JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    const m = await minnow.load(modelPath, { threads: 1 });
    try { assert.equal(m.info.version, minnow.VERSION); } finally { await m.dispose(); }
  });

  test("'auto' picks wasm/mt in Node and says so; the model uses the threads its size warrants", async () => {
    assert.deepEqual(minnow.selectBuild('auto', { cores: 3 }), { flavour: 'mt', threads: 3, reason: '', auto: true });
    assert.equal(minnow.selectBuild(1).flavour, 'st');
    assert.throws(() => minnow.selectBuild(99), (e) => e.status === 'MN_E_INVALID_ARG');
    // one thread per 32 MiB of weights, at least 1, at most the pool
    const MiB = 2 ** 20;
    assert.equal(minnow.AUTO_BYTES_PER_THREAD, 32 * MiB);
    assert.deepEqual([0, 1.1 * MiB, 32 * MiB - 1, 32 * MiB, 90 * MiB, 145 * MiB, 4096 * MiB].map((b) => minnow.autoThreads(b, 4)), [1, 1, 1, 1, 2, 4, 4]);
    assert.equal(minnow.autoThreads(145 * MiB, 2), 2);
    // stories260K (1.1 MB of weights) on one thread of the pool; an explicit count is used as given
    const cores = (await import('node:os')).cpus().length;
    const auto = await minnow.load(modelPath);
    try {
      assert.equal(auto.info.build, cores > 1 ? 'wasm-mt' : 'wasm-st');
      assert.equal(auto.info.poolThreads, Math.min(cores, minnow.THREADS_MAX));
      assert.equal(auto.info.threads, 1);
    } finally { await auto.dispose(); }
  });

  test('without an id to check, the id is computed after the load (during a generation when asked); dispose stops it', async () => {
    const m = await minnow.load(modelPath, { threads: 1 });
    assert.equal(m.info.id, undefined);
    const gen = m.generate('Once upon a time', { maxTokens: 32, temperature: 0 });
    const id = m.id(); // hurried while the generation runs
    assert.equal(await id, goldenId);
    assert.equal((await gen.result).stats.generatedTokens, 32);
    assert.equal(await m.id(), goldenId);
    await m.dispose();
    assert.equal(await m.id(), goldenId, 'known: still there after dispose');
    const early = await minnow.load(modelPath, { threads: 1 });
    const pending = early.id().catch((e) => e);
    await early.dispose(); // before or after the id was done: either way the worker ends cleanly
    const got = await pending;
    assert.ok(got === goldenId || (got instanceof minnow.MinnowError && got.status === 'MN_E_STATE'), String(got));
    const never = await minnow.load(modelPath, { threads: 1 });
    await never.dispose();
    await assert.rejects(never.id(), (e) => e.status === 'MN_E_STATE');
  });

  test('file: URL, ArrayBuffer, typed array, Blob, Response, ReadableStream give the same id', async () => {
    const sources = {
      fileUrl: pathToFileURL(modelPath),
      arrayBuffer: modelBytes.buffer.slice(modelBytes.byteOffset, modelBytes.byteOffset + modelBytes.length),
      typedArray: new Uint8Array(modelBytes),
      blob: new Blob([modelBytes]),
      response: new Response(new Blob([modelBytes]), { headers: { 'content-length': String(modelBytes.length) } }),
      stream: new Blob([modelBytes]).stream(),
    };
    for (const [name, src] of Object.entries(sources)) {
      let last = 0;
      const m = await minnow.load(src, { threads: 1, onProgress: (p) => { if (p.phase === 'load') last = p.loaded; } });
      assert.equal(await m.id(), goldenId, name);
      assert.equal(m.info.size, modelBytes.length, name);
      assert.equal(last, modelBytes.length, `${name}: progress ends at the file size`);
      await m.dispose();
    }
    // the caller keeps its buffer: it was not transferred away
    assert.equal(sources.typedArray.length, modelBytes.length);
  });

  test('an http URL is fetched in the worker, with progress; HTTP errors are MN_E_IO', async () => {
    const server = await startServer({ port: 0, isolate: false });
    try {
      let last = 0;
      const m = await minnow.load(`${server.url}/shared/models/stories260K/stories260K.gguf`, { threads: 1, onProgress: (p) => { last = p.loaded; } });
      assert.equal(await m.id(), goldenId);
      assert.equal(m.info.source, 'network');
      assert.equal(m.info.cached, false, 'Node has no Cache API');
      assert.equal(last, modelBytes.length);
      await m.dispose();
      await assert.rejects(minnow.load(`${server.url}/shared/nope.gguf`, { threads: 1 }), (e) => e.status === 'MN_E_IO' && /HTTP 404/.test(e.message));
    } finally { await server.close(); }
  });

  test('a missing file and a non-GGUF file are MinnowErrors with the C code', async () => {
    await assert.rejects(minnow.load(path.join(tmp, 'nope.gguf'), { threads: 1 }), (e) => e.status === 'MN_E_IO');
    await assert.rejects(minnow.load(new TextEncoder().encode('not a gguf file at all'), { threads: 1 }),
      (e) => e instanceof minnow.MinnowError && e.status === 'MN_E_GGUF_MAGIC' && e.code === 100);
    await assert.rejects(minnow.load(42), (e) => e.status === 'MN_E_INVALID_ARG');
    await assert.rejects(minnow.load(modelPath, { expectedId: 'abc' }), (e) => e.status === 'MN_E_INVALID_ARG');
  });
});

describe('the tokenizer built from the keys during the download', () => {
  test('built while the weights arrive (timings.keys), the same text; never from unverified bytes; dropped on a bad file', async () => {
    const server = await startServer({ port: 0, isolate: false });
    try {
      const texts = [];
      for (const src of [modelPath, `${server.url}/shared/models/stories260K/stories260K.gguf`, new Blob([modelBytes])]) {
        const m = await minnow.load(src, { threads: 1 });
        try {
          assert.ok(m.info.timings.keys >= 0 && m.info.timings.keys < m.info.timings.ingest, `${m.info.source}: keys inside ingest`);
          assert.ok(m.info.timings.lastByte <= m.info.timings.ingest);
          texts.push(await m.generate('Once upon a time', { maxTokens: 12, temperature: 0 }).text());
        } finally { await m.dispose(); }
      }
      assert.equal(new Set(texts).size, 1, 'the same greedy text from every source');
      const checked = await minnow.load(modelPath, { threads: 1, expectedId: goldenId });
      try {
        assert.equal(checked.info.timings.keys, undefined, 'an id to check: built after it matched');
        assert.equal(await checked.generate('Once upon a time', { maxTokens: 12, temperature: 0 }).text(), texts[0]);
      } finally { await checked.dispose(); }
    } finally { await server.close(); }
    // the keys arrive whole, the tensors do not: the early tokenizer is freed with the failed load
    await assert.rejects(minnow.load(modelBytes.subarray(0, modelBytes.length - 4096), { threads: 1 }),
      (e) => e instanceof minnow.MinnowError && /^MN_E_GGUF_/.test(e.status));
  });
});

describe('Q4_0 rearranged in wasm memory at load (repack)', () => {
  test('the same tokens and logits either way; the id and the bytes served from the model are the file\'s', async () => {
    // untied, pure Q4_0: every matrix but the embedding table is rearranged (50257 output rows: a last band of 1)
    const file = path.join(tmp, 'q4_0.gguf');
    execFileSync(path.join(root, 'build/native/minnow'), ['synth', '--shape', 'tiny', '--type', 'Q4_0', '--pure', '--untied',
      '--vocab', path.join(shared, 'tokenizers/gpt2/tokenizer.json'), '-o', file]);
    const fileId = execFileSync(path.join(root, 'build/native/minnow'), ['id', file], { encoding: 'utf8' }).split(/\s+/)[0];
    const runs = [];
    for (const repack of [false, 'auto', true]) {
      const m = await minnow.load(file, { threads: 1, repack });
      try {
        const text = await m.generate('Once upon a time', { maxTokens: 16, temperature: 0 }).text();
        runs.push({ repack, bytes: m.info.model.repacked_bytes, text, id: await m.id() });
      } finally { await m.dispose(); }
    }
    const [off, auto, on] = runs;
    assert.equal(off.bytes, 0);
    assert.ok(on.bytes > 0 && auto.bytes === on.bytes, `rearranged: ${auto.bytes} (auto), ${on.bytes} (true)`);
    for (const r of runs) {
      assert.equal(r.text, off.text, `repack ${r.repack}: the same tokens`);
      assert.equal(r.id, fileId, `repack ${r.repack}: the id is the file's`);
    }
    await assert.rejects(minnow.load(file, { repack: 'yes' }), (e) => e.status === 'MN_E_INVALID_ARG' && e.message.includes('repack'));
  });
});

describe('expectedId', () => {
  test('the right id loads; one tampered byte is refused with a clear error', async () => {
    const ok = await minnow.load(modelPath, { threads: 1, expectedId: goldenId.toUpperCase() });
    assert.equal(ok.info.id, goldenId);
    await ok.dispose();
    const tampered = new Uint8Array(modelBytes);
    tampered[tampered.length - 100] ^= 1; // inside the weights: still a valid GGUF
    const file = path.join(tmp, 'tampered.gguf');
    writeFileSync(file, tampered);
    for (const src of [file, tampered]) {
      await assert.rejects(minnow.load(src, { threads: 1, expectedId: goldenId }), (e) =>
        e instanceof minnow.MinnowError && e.status === 'MN_E_ID_MISMATCH' && e.code === 11 &&
        e.message.includes(goldenId) && /refused/.test(e.message));
    }
    // without expectedId it loads, under its own (different) id
    const m = await minnow.load(file, { threads: 1 });
    assert.notEqual(await m.id(), goldenId);
    await m.dispose();
  });
});

describe('out of memory fails cleanly', () => {
  test('a file larger than wasm32 can hold is refused up front, nothing read', async () => {
    const big = path.join(tmp, 'big.gguf');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 5 * 2 ** 30); // sparse: costs no disk
    closeSync(fd);
    const events = [];
    const t0 = Date.now();
    await assert.rejects(minnow.load(big, { threads: 1, onProgress: (p) => events.push(p) }), (e) =>
      isNoMem(e) && /4 GiB/.test(e.message) && /5368709120 bytes/.test(e.message));
    assert.equal(events.length, 0, 'no byte was loaded');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('malloc failing under a memory limit is MN_E_NOMEM, and a later load works', async () => {
    // 15 MiB fits the up-front check of a 16 MiB limit but not the heap beside the stack
    const file = path.join(tmp, 'fifteen.gguf');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 15.5 * 2 ** 20);
    closeSync(fd);
    await assert.rejects(minnow.load(file, { threads: 1, memoryLimit: 16 * 2 ** 20 }), (e) =>
      isNoMem(e) && /cannot allocate 16252928 bytes/.test(e.message));
    const m = await minnow.load(modelPath, { threads: 1, memoryLimit: 16 * 2 ** 20 });
    assert.equal(await m.id(), goldenId);
    await m.dispose();
  });

  test('a stream of unknown size that outgrows the limit stops with MN_E_NOMEM', async () => {
    const head = modelBytes.subarray(0, 4096); // a valid GGUF header, then zeros without end
    let sent = 0;
    const endless = new ReadableStream({
      pull(ctrl) { ctrl.enqueue(sent === 0 ? new Uint8Array(head) : new Uint8Array(1 << 20)); sent++; },
    });
    await assert.rejects(minnow.load(endless, { threads: 2, memoryLimit: 64 * 2 ** 20 }), (e) =>
      isNoMem(e) && /out of wasm memory while loading/.test(e.message));
    assert.ok(sent < 200, `the stream was read ${sent} times`);
  });
});

describe('dispose, abort, several models', () => {
  test('dispose frees the model: the heap returns to the fresh instance', async () => {
    for (const threads of [1, 2]) {
      const m = await minnow.load(modelPath, { threads });
      const mem = await m.memory();
      assert.ok(mem.heapUsed >= modelBytes.length, 'the file lives in wasm memory');
      assert.equal(mem.limit, 2 ** 32);
      const report = await m.dispose();
      assert.equal(report.heapUsed, report.heapUsedAtStart, 'nothing leaked');
      assert.equal(m.disposed, true);
      await assert.rejects(m.memory(), (e) => e.status === 'MN_E_STATE');
      assert.strictEqual(await m.dispose(), report, 'a second dispose is the same');
    }
  });

  test('an aborted load rejects with the reason, cancels the source and ends its worker', async () => {
    for (const delay of [0, 300]) { // while the worker starts, and while it waits for bytes
      const ac = new AbortController();
      let cancelled = null;
      const slow = new ReadableStream({
        start: (ctrl) => ctrl.enqueue(new Uint8Array(modelBytes.subarray(0, 1000))),
        pull: () => new Promise((r) => setTimeout(r, 50)),
        cancel: (why) => { cancelled = why; },
      });
      const p = minnow.load(slow, { threads: 1, signal: ac.signal });
      setTimeout(() => ac.abort(), delay);
      await assert.rejects(p, (e) => e.name === 'AbortError');
      if (delay) assert.equal(cancelled?.name, 'AbortError', 'the stream was cancelled');
    }
    await assert.rejects(minnow.load(modelPath, { signal: AbortSignal.abort() }), (e) => e.name === 'AbortError');
  });

  test('several models at once, each in its own instance', async () => {
    const models = await Promise.all([
      minnow.load(modelPath, { threads: 1 }), minnow.load(modelPath, { threads: 2 }), minnow.load(new Uint8Array(modelBytes), { threads: 1 }),
    ]);
    assert.deepEqual(await Promise.all(models.map((m) => m.id())), [goldenId, goldenId, goldenId]);
    assert.deepEqual(models.map((m) => m.info.build), ['wasm-st', 'wasm-mt', 'wasm-st']);
    await models[0].dispose();
    assert.ok((await models[1].memory()).heapUsed >= modelBytes.length, 'the others live on');
    await Promise.all(models.slice(1).map((m) => m.dispose()));
  });

  test('an idle model does not keep Node alive; missing SIMD128 is a clear error', () => {
    const idle = `import { load } from ${JSON.stringify(pathToFileURL(path.join(root, 'js/index.js')).href)};
      const m = await load(${JSON.stringify(modelPath)}); console.log(m.info.build);`;
    const run = (name, code) => {
      const f = path.join(tmp, name);
      writeFileSync(f, code);
      return execFileSync(process.execPath, [f], { encoding: 'utf8', timeout: 20000 });
    };
    const out = run('idle.mjs', idle);
    assert.equal(out.trim(), 'wasm-mt');
    const noSimd = `WebAssembly.validate = () => false;
      const { load } = await import(${JSON.stringify(pathToFileURL(path.join(root, 'js/index.js')).href)});
      try { await load(${JSON.stringify(modelPath)}); } catch (e) { console.log(e.status, e.message); }`;
    const msg = run('nosimd.mjs', noSimd);
    assert.match(msg, /^MN_E_UNSUPPORTED .*SIMD128/);
  });
});
