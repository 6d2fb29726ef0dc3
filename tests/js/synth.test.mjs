// `minnow synth` writes models llama.cpp accepts: every architecture (decoders
// generate a few greedy tokens, BERT embeds), in several types and vocabulary
// formats, through node-llama-cpp's prebuilt CPU binaries; `minnow info`
// reads them back; the wasm and WASI CLIs write the same bytes as native.
// `minnow quantize` turns the real stories260K into files llama.cpp runs and
// whose greedy story is still the published one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared');
const tok = (p) => path.join(shared, 'tokenizers', p);
const cli = {
  native: (args) => [path.join(root, 'build/native/minnow'), args],
  'wasm-st': (args) => ['node', [path.join(root, 'build/wasm/st/minnow-cli.js'), ...args]],
  wasi: (args) => [path.join(root, 'scripts/minnow-wasi'), args],
};
const run = (target, args) => {
  const [cmd, argv] = cli[target](args);
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
};

// Small dims keep the big vocabularies quick; K-quant cases keep 256 columns.
const cases = [
  { name: 'llama-tok512-q8_0', arch: 'llama', vocab: path.join(shared, 'models/stories260K/tok512.model'), type: 'Q8_0', dims: [] },
  { name: 'llama-sp-q4_k_m', arch: 'llama', vocab: tok('llama2-sentencepiece.model'), type: 'Q4_K_M', dims: ['--ffn', '256'] },
  { name: 'llama-llama3-q8_0', arch: 'llama', vocab: tok('hf/llama3.tokenizer.json'), type: 'Q8_0', dims: ['--tied'] },
  { name: 'llama-mistral-tq2_0', arch: 'llama', vocab: tok('hf/mistral.tokenizer.json'), type: 'TQ2_0', dims: [] },
  { name: 'qwen2-qwen3-q4_0', arch: 'qwen2', vocab: tok('hf/qwen3.tokenizer.json'), type: 'Q4_0', dims: ['--dim', '64', '--heads', '2', '--kv-heads', '1', '--ffn', '128'] },
  { name: 'gpt2-gpt2-q5_k_m', arch: 'gpt2', vocab: tok('gpt2/tokenizer.json'), type: 'Q5_K_M', dims: [] },
  { name: 'gpt2-gpt2-f16', arch: 'gpt2', vocab: tok('gpt2/tokenizer.json'), type: 'F16', dims: ['--dim', '64', '--heads', '2'] },
  { name: 'bert-vocab-q8_0', arch: 'bert', vocab: tok('bert-base-uncased/vocab.txt'), type: 'Q8_0', dims: ['--dim', '128', '--heads', '2'] },
  { name: 'bert-json-q4_1', arch: 'bert', vocab: tok('bert-base-uncased/tokenizer.json'), type: 'Q4_1', dims: ['--dim', '64', '--heads', '2'] },
];

let dir, llama;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'minnow-synth-'));
  const { getLlama } = await import('node-llama-cpp');
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const synthArgs = (c, out) => ['synth', '--shape', 'tiny', '--arch', c.arch, '--vocab', c.vocab, '--type', c.type, '--seed', '7', ...c.dims, '-o', out];

for (const c of cases) {
  test(`synth ${c.name}: minnow info reads it, llama.cpp runs it`, async () => {
    const file = path.join(dir, `${c.name}.gguf`);
    run('native', synthArgs(c, file));
    const info = JSON.parse(run('native', ['info', file, '--json']));
    const meta = Object.fromEntries(info.metadata.map((kv) => [kv.key, kv.value]));
    assert.equal(meta['general.architecture'], c.arch);
    assert.ok(info.tensors.some((t) => t.name === 'token_embd.weight'));

    const model = await llama.loadModel({ modelPath: file });
    try {
      if (c.arch === 'bert') {
        const ctx = await model.createEmbeddingContext({ contextSize: 64, threads: 1 });
        const e = await ctx.getEmbeddingFor('the quick brown fox');
        assert.equal(e.vector.length, Number(meta['bert.embedding_length']));
        assert.ok(e.vector.every(Number.isFinite));
        assert.ok(e.vector.some((v) => v !== 0));
        await ctx.dispose();
      } else {
        const { LlamaCompletion } = await import('node-llama-cpp');
        const texts = [];
        for (let i = 0; i < 2; i++) {
          const ctx = await model.createContext({ contextSize: 64, threads: 1 });
          const comp = new LlamaCompletion({ contextSequence: ctx.getSequence() });
          texts.push(await comp.generateCompletion('Once upon a time', { maxTokens: 8, temperature: 0 }));
          await ctx.dispose();
        }
        assert.ok(texts[0].length > 0, 'greedy text is empty');
        assert.equal(texts[0], texts[1]);
      }
    } finally {
      await model.dispose();
    }
  });
}

test('synth writes the same bytes on native, wasm and WASI', () => {
  const c = cases.find((x) => x.name === 'gpt2-gpt2-f16');
  const files = Object.keys(cli).map((target) => {
    const file = path.join(dir, `cross-${target}.gguf`);
    run(target, synthArgs(c, file));
    return readFileSync(file);
  });
  for (const f of files.slice(1)) assert.ok(f.equals(files[0]));
});

const stories = path.join(shared, 'models/stories260K/stories260K.gguf');
const LILY = 'Once upon a time, there was a little girl named Lily.';

async function greedy(file, maxTokens) {
  const { LlamaCompletion } = await import('node-llama-cpp');
  const model = await llama.loadModel({ modelPath: file });
  try {
    const ctx = await model.createContext({ contextSize: 128, threads: 1 });
    const comp = new LlamaCompletion({ contextSequence: ctx.getSequence() });
    const text = await comp.generateCompletion('', { maxTokens, temperature: 0 });
    await ctx.dispose();
    return text;
  } finally {
    await model.dispose();
  }
}

for (const [type, fileType, check] of [
  ['Q8_0', 7, (t) => assert.ok(t.startsWith(LILY), t)],
  ['Q4_0', 2, (t) => assert.match(t, /^Once upon a time, there was a little/)],
  ['Q4_K_M', 15, (t) => assert.ok(t.startsWith(LILY), t)],
]) {
  test(`quantize stories260K to ${type}: llama.cpp tells the story, minnow info reads it`, async () => {
    const file = path.join(dir, `stories-${type}.gguf`);
    assert.match(run('native', ['quantize', stories, file, type]), new RegExp(`${type}, 48 tensors`));
    const info = JSON.parse(run('native', ['info', file, '--json']));
    const meta = Object.fromEntries(info.metadata.map((kv) => [kv.key, kv.value]));
    assert.equal(meta['general.file_type'], fileType);
    assert.equal(info.tensors.length, 48);
    check(await greedy(file, 30));
  });
}

test('quantize on wasm and WASI writes the native bytes', () => {
  const files = Object.keys(cli).map((target) => {
    const file = path.join(dir, `q-${target}.gguf`);
    run(target, ['quantize', stories, file, 'Q4_K_M']);
    return readFileSync(file);
  });
  for (const f of files.slice(1)) assert.ok(f.equals(files[0]));
});
