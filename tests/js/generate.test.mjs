// Generation and tokenization through the JS API (node --test), on wasm/st
// and wasm/mt: the same text as the native CLI (greedy and seeded), stop
// strings, cancellation between tokens, queued and concurrent generations,
// token ids and offsets as the CLI's, dispose during a generation.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as minnow from '../../js/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelPath = path.resolve(root, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const cli = (args, input) => execFileSync(path.join(root, 'build/native/minnow'), args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'ignore'] });
const STORY = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';

async function collect(gen) {
  let s = '';
  for await (const piece of gen) s += piece;
  return s;
}

for (const threads of [1, 2]) {
  describe(`generation on wasm/${threads === 1 ? 'st' : 'mt'}`, () => {
    let model;
    before(async () => { model = await minnow.load(modelPath, { threads }); });
    after(async () => { await model?.dispose(); });

    test('greedy from BOS: the published story, as the native CLI writes it', async () => {
      assert.equal(model.info.nVocab, 512);
      assert.equal(model.info.nCtx, model.info.nCtxTrain);
      const gen = model.generate('', { maxTokens: 60, temperature: 0 });
      const text = await collect(gen);
      assert.ok(text.startsWith(STORY), text);
      assert.equal(text, cli(['generate', '-m', modelPath, '-n', '60', '--temp', '0']));
      const r = await gen.result;
      assert.equal(r.reason, 'max-tokens');
      assert.equal(r.text, text);
      assert.equal(r.tokens.length, 60);
      assert.equal(gen.tokenCount, 60);
      assert.equal(r.stats.generatedTokens, 60);
      assert.equal(r.stats.promptTokens, 1);
      assert.ok(r.stats.decodeTokensPerSecond > 0);
    });

    test('seeded sampling: the same tokens as the native CLI, 64-bit seeds included', async () => {
      for (const seed of [7, 2n ** 63n + 5n]) {
        const text = await model.generate('Once upon a time', { maxTokens: 30, temperature: 0.8, seed }).text();
        assert.equal(text, cli(['generate', '-m', modelPath, '-n', '30', '--temp', '0.8', '--seed', String(seed), '-p', 'Once upon a time']), `seed ${seed}`);
      }
      // a bad option never throws from generate(): it rejects the iterator and result, as any other error
      const bad = model.generate('x', { seed: -1 });
      await assert.rejects(bad.result, (e) => e.status === 'MN_E_INVALID_ARG' && /seed/.test(e.message));
      await assert.rejects(collect(bad), (e) => e.status === 'MN_E_INVALID_ARG');
      await assert.rejects(collect(model.generate(5)), (e) => e.status === 'MN_E_INVALID_ARG' && /prompt/.test(e.message));
    });

    test('a prompt as token ids gives what the same text gives', async () => {
      const prompt = 'Once upon a time, Lily';
      const { ids } = await model.tokenize(prompt);
      const fromText = await model.generate(prompt, { maxTokens: 30, temperature: 0 }).text();
      const gen = model.generate(Array.from(ids), { maxTokens: 30, temperature: 0 });
      assert.equal(await gen.text(), fromText);
      assert.equal((await gen.result).stats.promptTokens, ids.length);
      await assert.rejects(model.generate([]).result, (e) => e.status === 'MN_E_INVALID_ARG');
      await assert.rejects(model.generate([1, 99999]).result, (e) => e.status === 'MN_E_TOK_INVALID_ID');
    });

    test('a stop string ends generation and is not part of the text', async () => {
      const gen = model.generate('', { maxTokens: 100, temperature: 0, stop: ['park'] });
      const text = await collect(gen);
      assert.equal(text, 'Once upon a time, there was a little girl named Lily. She loved to play outside in the ');
      assert.equal((await gen.result).reason, 'stop');
    });

    test('abort stops within two tokens of what the caller saw; the model then generates the same again', async () => {
      const ac = new AbortController();
      const gen = model.generate('', { maxTokens: 1000, temperature: 0, signal: ac.signal });
      let pieces = 0, atAbort = 0;
      await assert.rejects((async () => {
        for await (const piece of gen) {
          assert.equal(typeof piece, 'string');
          if (++pieces === 5) { atAbort = gen.tokenCount; ac.abort(); }
        }
      })(), (e) => e.name === 'AbortError');
      const r = await gen.result;
      assert.equal(r.reason, 'aborted');
      // the worker runs at most 2 pieces ahead of what the caller received (js/worker.js GEN_WINDOW)
      assert.ok(r.tokens.length <= atAbort + 2, `${r.tokens.length} tokens, abort at ${atAbort}`);
      assert.ok(STORY.startsWith(r.text));
      const again = await model.generate('', { maxTokens: 60, temperature: 0 }).text();
      assert.ok(again.startsWith(STORY));
      // break in for-await ends quietly
      const g2 = model.generate('', { maxTokens: 1000, temperature: 0 });
      for await (const piece of g2) { if (piece) break; }
      assert.equal((await g2.result).reason, 'aborted');
      // an already aborted signal never starts
      await assert.rejects(model.generate('', { signal: AbortSignal.abort() }).result, (e) => e.name === 'AbortError');
    });

    test('generations on one model run one after another, in order', async () => {
      const gens = [0, 1, 2].map((i) => model.generate('', { maxTokens: 20 + i, temperature: 0 }));
      const texts = await Promise.all(gens.map((g) => g.text()));
      const results = await Promise.all(gens.map((g) => g.result));
      assert.deepEqual(results.map((r) => r.tokens.length), [20, 21, 22]);
      assert.ok(texts[1].startsWith(texts[0]) && texts[2].startsWith(texts[1]));
    });

    test('token ids and byte offsets as the CLI; detokenize; tokenize during a generation', async () => {
      const text = 'Lily saw a big, red ball. 😊 Ünïcode';
      const { ids, offsets, charOffsets } = await model.tokenize(text);
      assert.deepEqual(Array.from(ids), cli(['tokenize', '-t', modelPath, '--add-special'], text).trim().split(' ').map(Number));
      assert.equal(offsets.length, 2 * ids.length);
      const bytes = new TextEncoder().encode(text);
      assert.equal(offsets.at(-1), bytes.length);
      for (let k = 1; k < ids.length; k++) assert.ok(offsets[2 * k] >= offsets[2 * k - 2], 'offsets are ordered');
      assert.equal(text.slice(charOffsets[2], charOffsets[3]), 'Lily');
      const emoji = [...ids.keys()].filter((k) => offsets[2 * k] >= 26 && offsets[2 * k + 1] <= 30);
      assert.equal(emoji.length, 4, 'byte-fallback tokens for the emoji');
      assert.ok(emoji.every((k) => text.slice(charOffsets[2 * k], charOffsets[2 * k + 1]) === '😊'));
      assert.equal(await model.detokenize(ids, { skipSpecial: true }), text);
      assert.deepEqual(Array.from((await model.tokenize('Lily', { addSpecial: false })).ids), [Number(cli(['tokenize', '-t', modelPath], 'Lily'))]);
      const gen = model.generate('', { maxTokens: 200, temperature: 0 });
      const [during] = await Promise.all([model.tokenize(text), gen.text()]);
      assert.deepEqual(during.ids, ids);
      await assert.rejects(model.detokenize([99999]), (e) => e.status === 'MN_E_TOK_INVALID_ID');
    });
  });
}

test('every generate/tokenize option is checked: MN_E_INVALID_ARG naming it, through the result, never a throw', async () => {
  const m = await minnow.load(modelPath, { threads: 1 });
  try {
    const bad = [
      ['seed', -1], ['seed', 1.5], ['seed', -1n], ['seed', 2n ** 64n], ['seed', '7'], ['seed', 2 ** 53],
      ['maxTokens', -1], ['maxTokens', 'x'], ['maxTokens', 1.5], ['maxTokens', 2 ** 32],
      ['temperature', NaN], ['temperature', 'abc'], ['temperature', -1], ['temperature', Infinity], ['temperature', 1e39],
      ['topK', 1.7], ['topK', -3], ['topP', 2], ['topP', -0.1], ['topP', NaN], ['minP', 1.5], ['minP', -1],
      ['repeatPenalty', 0], ['repeatPenalty', -1], ['presencePenalty', NaN], ['frequencyPenalty', Infinity],
      ['penaltyLastN', -2], ['penaltyLastN', 0.5], ['stop', 5], ['stop', ['ok', 5]], ['stop', ''], ['stop', 'a\0b'],
      ['addSpecial', 1], ['signal', {}], ['max_tokens', 3],
    ];
    for (const [k, v] of bad) {
      let gen;
      assert.doesNotThrow(() => { gen = m.generate('Once', { [k]: v }); }, `${k}: ${String(v)}`);
      await assert.rejects(gen.result, (e) => e instanceof minnow.MinnowError && e.status === 'MN_E_INVALID_ARG' && e.message.includes(k),
        `${k}: ${String(v)}`);
      await assert.rejects(collect(gen), (e) => e.status === 'MN_E_INVALID_ARG');
    }
    // the edges that are allowed, and undefined meaning the default
    const ok = [{ seed: 2n ** 64n - 1n }, { seed: 2 ** 53 - 1 }, { maxTokens: 0, stop: 'park' }, { temperature: 0 }, { topK: 0 },
      { topP: 0 }, { topP: 1 }, { minP: 0 }, { minP: 1 }, { penaltyLastN: -1, repeatPenalty: 1.1 }, { presencePenalty: -0.5 },
      { stop: [] }, { seed: undefined, maxTokens: undefined }];
    for (const o of ok) {
      const r = await m.generate('Once', { maxTokens: 3, ...o }).result;
      assert.ok(r.tokens.length >= 1, JSON.stringify(o, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    }
    // seeds: 2^64 - 1 is its own seed (no wrap to another)
    const top = await m.generate('Once', { maxTokens: 20, seed: 2n ** 64n - 1n }).text();
    assert.equal(top, cli(['generate', '-m', modelPath, '-n', '20', '--temp', '0.8', '--seed', '18446744073709551615', '-p', 'Once']));
    for (const [what, call] of [
      ['tokenize(text)', () => m.tokenize(5)], ['addSpecial', () => m.tokenize('x', { addSpecial: 'no' })],
      ['parseSpecial', () => m.tokenize('x', { parseSpecial: 1 })], ['add_special', () => m.tokenize('x', { add_special: false })],
      ['token ids', () => m.detokenize([1.5])], ['token ids', () => m.detokenize('abc')], ['skipSpecial', () => m.detokenize([1], { skipSpecial: 0 })],
    ]) {
      await assert.rejects(call(), (e) => e.status === 'MN_E_INVALID_ARG' && e.message.includes(what), what);
    }
    // defaults: tokenize adds the model's BOS (as generate() does for a text prompt), detokenize keeps special tokens
    assert.deepEqual(Array.from((await m.tokenize('Lily')).ids), cli(['tokenize', '-t', modelPath, '--add-special'], 'Lily').trim().split(' ').map(Number));
  } finally { await m.dispose(); }
});

test('several models generate at once, with the same bits on st and mt', async () => {
  const models = await Promise.all([minnow.load(modelPath, { threads: 1 }), minnow.load(modelPath, { threads: 2 }), minnow.load(modelPath, { threads: 1 })]);
  const opts = { maxTokens: 80, temperature: 0.9, seed: 42 };
  const texts = await Promise.all(models.map((m) => m.generate('One day', opts).text()));
  assert.equal(new Set(texts).size, 1);
  assert.equal(texts[0], cli(['generate', '-m', modelPath, '-n', '80', '--temp', '0.9', '--seed', '42', '-p', 'One day']));
  await Promise.all(models.map((m) => m.dispose()));
});

test('the prompt batch size and the context length change no bit of the text', async () => {
  const prompt = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';
  const texts = [];
  for (const [batchSize, contextLength] of [[1, 256], [512, 512], [undefined, undefined]]) {
    const m = await minnow.load(modelPath, { threads: 1, batchSize, contextLength });
    assert.equal(m.info.nCtx, contextLength ?? m.info.nCtxTrain);
    texts.push(await m.generate(prompt, { maxTokens: 40, temperature: 0.7, seed: 5 }).text());
    await m.dispose();
  }
  assert.equal(new Set(texts).size, 1);
});

test('everything above 2 GiB of wasm memory: addresses are unsigned all the way', async () => {
  for (const threads of [1, 2]) {
    const m = await minnow.load(modelPath, { threads, _holdBytes: 2 ** 31 + 2 ** 20 });
    const mem = await m.memory();
    assert.ok(mem.wasmBytes > 2 ** 31 + modelBytesAtLeast, `wasm memory ${mem.wasmBytes}`);
    assert.ok(mem.heapUsed > 2 ** 31, 'the model lies above 2 GiB');
    assert.equal(m.info.id, cli(['id', modelPath]).split(' ')[0]);
    const text = await m.generate('', { maxTokens: 60, temperature: 0 }).text();
    assert.ok(text.startsWith(STORY), text);
    const { ids, offsets } = await m.tokenize('Lily saw a big ball');
    assert.equal(ids.length, offsets.length / 2);
    assert.equal(await m.detokenize(ids, { skipSpecial: true }), 'Lily saw a big ball');
    const report = await m.dispose();
    assert.equal(report.heapUsed, report.heapUsedAtStart);
  }
});
const modelBytesAtLeast = 1 << 20;

test('dispose during a generation ends it and returns the heap', async () => {
  const m = await minnow.load(modelPath, { threads: 2 });
  const gen = m.generate('', { maxTokens: 0, temperature: 0.8 });
  const it = gen[Symbol.asyncIterator]();
  await it.next();
  const report = await m.dispose();
  assert.equal(report.heapUsed, report.heapUsedAtStart);
  const r = await gen.result.catch((e) => e);
  assert.ok(r.reason === 'aborted' || r.status === 'MN_E_STATE', String(r.reason ?? r.message));
  await assert.rejects(m.generate('').result, (e) => e.status === 'MN_E_STATE');
});
