// js/index.d.ts: a TypeScript program using the whole API type-checks under
// --strict (Debian's tsc), and misuses are type errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'minnow-types-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const entry = JSON.stringify(path.join(root, 'js', 'index.js'));

function tsc(name, code) {
  writeFileSync(path.join(tmp, name), code);
  const config = path.join(tmp, `${name}.json`);
  writeFileSync(config, JSON.stringify({
    compilerOptions: { noEmit: true, strict: true, target: 'es2022', module: 'es2022', moduleResolution: 'node',
      lib: ['es2022', 'dom', 'dom.iterable'], types: [] },
    files: [name],
  }));
  try {
    execFileSync('tsc', ['-p', config], { cwd: tmp, encoding: 'utf8', stdio: 'pipe', timeout: 120000 });
    return '';
  } catch (e) { return e.stdout + e.stderr; }
}

test('a program using the whole API type-checks', () => {
  const out = tsc('use.ts', `import * as minnow from ${entry};
import type { Model, ModelInfo, GenerationResult, Tokenization, LoadProgress } from ${entry};
async function main(): Promise<void> {
  const ac = new AbortController();
  const seen: LoadProgress[] = [];
  const model: Model = await minnow.load('/m.gguf', { threads: 'auto', onProgress: (p) => { seen.push(p); }, signal: ac.signal,
    expectedId: 'ab'.repeat(32), cache: true, memoryLimit: 2 ** 31, contextLength: 512, batchSize: 64 });
  await minnow.load(new Uint8Array(4), { threads: 1 });
  await minnow.load(new Blob([]));
  const info: ModelInfo = model.info;
  const build: 'wasm-mt' | 'wasm-st' = info.build;
  const gen = model.generate('Once', { maxTokens: 8, temperature: 0, topK: 40, topP: 0.9, minP: 0.05, seed: 2n ** 63n, stop: ['\\n'], signal: ac.signal });
  for await (const piece of gen) { const s: string = piece; void s; }
  const r: GenerationResult = await gen.result;
  const n: number = r.stats.decodeTokensPerSecond + gen.tokenCount;
  model.generate([1, 2, 3]).abort();
  const t: Tokenization = await model.tokenize('x', { addSpecial: false });
  const text: string = await model.detokenize(t.ids, { skipSpecial: true });
  const mem = await model.memory();
  await model.dispose();
  try { await minnow.load(1 as unknown as string); } catch (e) {
    if (e instanceof minnow.MinnowError) { const c: number = e.code; const st: string = e.status; void c; void st; }
  }
  const sel = minnow.selectBuild('auto');
  const isModel: boolean = model instanceof minnow.Model && gen instanceof minnow.Generation;
  const weights: number = info.weightBytes + info.nCtx + info.nVocab;
  const version: string = minnow.VERSION;
  void build; void n; void text; void mem; void sel; void r.reason; void isModel; void weights; void version;
}
void main;
`);
  assert.equal(out, '');
});

test('misuses are type errors', () => {
  const out = tsc('misuse.ts', `import * as minnow from ${entry};
async function main(): Promise<void> {
  const m = await minnow.load('/m.gguf', { threads: 'many' });
  m.generate('x', { maxTokens: '8' });
  await m.tokenize(42);
  const s: number = m.info.id;
  new minnow.Model();
  new minnow.Generation();
}
void main;
`);
  for (const line of ['misuse.ts(3,', 'misuse.ts(4,', 'misuse.ts(5,', 'misuse.ts(6,', 'misuse.ts(7,', 'misuse.ts(8,']) assert.ok(out.includes(line), `${line} in\n${out}`);
});
