// Tokenizer parity: the minnow CLI (native, wasm-st, WASI) against the
// reference implementation of each file format, on a >= 1 MB generated corpus
// (tests/reference/tok-corpus.mjs). Ids must be identical for every document;
// there is no allow-list.
//   tokenizer.json: Hugging Face tokenizers (Rust, via @anush008/tokenizers)
//   GGUF:           llama.cpp (via node-llama-cpp, vocab only): stories260K.gguf
//                   and GGUFs written at test time from the gpt2 / Llama-3 /
//                   Qwen3 tokenizer.json files (tests/reference/tok-gguf.mjs);
//                   the byte-level ones must also equal HF where HF's file has
//                   no normalizer
//   stories260K.gguf vs the sentencepiece library on tok512.model (Debian
//                   python3-sentencepiece), after collapsing space runs, which
//                   sentencepiece does and GGUF/llama.cpp do not
//                   (docs/tokenizers.md)
//
// Needs: npm devDependencies (@anush008/tokenizers, node-llama-cpp),
// python3-sentencepiece, ../shared, and the builds; whatever is missing is
// skipped with the reason. TOK_CORPUS_KB overrides the corpus size (default 1100 KB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCorpus } from '../reference/tok-corpus.mjs';
import { ggufFromTokenizerJson } from '../reference/tok-gguf.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared');
const tokDir = path.join(shared, 'tokenizers');
const runners = {
  native: { file: 'build/native/minnow', argv: (a) => [path.join(root, 'build/native/minnow'), a] },
  'wasm-st': { file: 'build/wasm/st/minnow-cli.js', argv: (a) => ['node', [path.join(root, 'build/wasm/st/minnow-cli.js'), ...a]] },
  wasi: { file: 'build/wasi/minnow.wasi.wasm', argv: (a) => [path.join(root, 'scripts/minnow-wasi'), a] },
};
const hfFiles = ['gpt2/tokenizer.json', 'hf/llama3.tokenizer.json', 'hf/qwen3.tokenizer.json', 'hf/mistral.tokenizer.json'];

async function optional(name) {
  try { return await import(name); } catch { return null; }
}
const HF = (await optional('@anush008/tokenizers'))?.Tokenizer || null;
const nlc = await optional('node-llama-cpp');
const python = ['/usr/bin/python3', 'python3'].find((p) => {
  try { execFileSync(p, ['-c', 'import sentencepiece'], { stdio: 'ignore' }); return true; } catch { return false; }
});

function run(target, args, input) {
  const [cmd, argv] = runners[target].argv(args);
  return execFileSync(cmd, argv, { input, cwd: root, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

function available(target) {
  if (!fs.existsSync(path.join(root, runners[target].file))) return `no ${runners[target].file}`;
  try {
    run(target, ['tokenize', '-t', path.join(tokDir, hfFiles[0])], 'x');
  } catch (e) {
    return `the CLI has no working tokenize command (${String(e.stderr || e.message).trim().split('\n')[0]})`;
  }
  return null;
}

const kb = Number(process.env.TOK_CORPUS_KB || 1100);
const docs = makeCorpus({ sharedDir: shared, seed: 1, targetBytes: kb * 1024 });
const toJsonl = (list) => list.map((d) => JSON.stringify(d)).join('\n') + '\n';
const jsonl = toJsonl(docs);
// special and added tokens written in the text, parsed (HF's default)
const specialDocs = ['<|endoftext|>hello<|endoftext|> world', 'a <s> b</s>c <unk>', '<|im_start|>user\nhi<|im_end|>\n<think>\nok</think> <tool_call>x',
  '<|begin_of_text|>Hi <|eot_id|>\n\n', '', ' ', '<s>', 'x<|endoftext|', '<<s>>', '\n<s>\n', 'Hello'];
const specialJsonl = toJsonl(specialDocs);

// ------------------------------------------------------------- references
const refCache = new Map();
async function cached(key, fn) {
  if (!refCache.has(key)) refCache.set(key, await fn());
  return refCache.get(key);
}

function hfRef(file, list, addSpecial) {
  return cached(`hf|${file}|${list === docs}|${addSpecial}`, async () => {
    const tok = HF.fromFile(path.join(tokDir, file));
    const out = [];
    for (const d of list) out.push((await tok.encode(d, null, { addSpecialTokens: addSpecial })).getIds().join(' '));
    return { out, name: (id) => tok.idToToken(id) };
  });
}

let llama = null;
async function llamaRef(gguf, list, parseSpecial) {
  return cached(`llama|${gguf}|${list === docs}|${parseSpecial}`, async () => {
    llama ||= await nlc.getLlama({ gpu: false, build: 'never', logLevel: 'fatal' });
    const model = await llama.loadModel({ modelPath: gguf, vocabOnly: true });
    const out = list.map((d) => Array.from(model.tokenize(d, parseSpecial)).join(' '));
    const names = (id) => model.detokenize([id], true);
    return { out, name: names };
  });
}

// sentencepiece on the raw documents (it collapses space runs itself)
function spRef(model, list) {
  return cached(`sp|${model}|${list === docs}`, async () => {
    const script = 'import sys, json, sentencepiece as spm\n' +
      's = spm.SentencePieceProcessor(model_file=sys.argv[1])\n' +
      'for line in sys.stdin:\n' +
      '    print(" ".join(map(str, s.encode(json.loads(line)))))\n';
    const out = execFileSync(python, ['-c', script, model], { input: toJsonl(list), maxBuffer: 1 << 30 }).toString().split('\n');
    return { out, name: (id) => String(id) };
  });
}

function compare(ref, got, list, what) {
  let bad = 0;
  const notes = [];
  for (let i = 0; i < list.length; i++) {
    if (ref.out[i] === got[i]) continue;
    if (bad++ < 3) {
      const a = ref.out[i].split(' '), b = (got[i] || '').split(' ');
      let k = 0;
      while (a[k] === b[k]) k++;
      notes.push(`doc ${i} token ${k}: want ${a.slice(k, k + 4)} (${JSON.stringify(a.slice(k, k + 4).map((x) => ref.name(Number(x))))}) got ${b.slice(k, k + 4)}`);
    }
  }
  assert.equal(bad, 0, `${what}: ${bad} of ${list.length} documents differ\n${notes.join('\n')}`);
}

// ------------------------------------------------------------ GGUF inputs
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-tok-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const ggufs = [
  { name: 'stories260K.gguf', file: path.join(shared, 'models/stories260K/stories260K.gguf'), sp: path.join(shared, 'models/stories260K/tok512.model') },
  { name: 'gpt2.json as GGUF (pre gpt-2)', from: 'gpt2/tokenizer.json', pre: 'gpt-2', hf: 'gpt2/tokenizer.json' },
  { name: 'llama3.json as GGUF (pre llama-bpe)', from: 'hf/llama3.tokenizer.json', pre: 'llama-bpe', hf: 'hf/llama3.tokenizer.json' },
  // Qwen's tokenizer.json normalizes to NFC, llama.cpp does not: llama.cpp only
  { name: 'qwen3.json as GGUF (pre qwen2)', from: 'hf/qwen3.tokenizer.json', pre: 'qwen2' },
];
function ggufPath(g) {
  if (g.file) return g.file;
  const p = path.join(tmp, `${path.basename(g.from, '.json')}-${g.pre}.gguf`);
  if (!fs.existsSync(p)) fs.writeFileSync(p, ggufFromTokenizerJson(path.join(tokDir, g.from), g.pre));
  return p;
}

const corpusBytes = Buffer.byteLength(docs.join(''), 'utf8');
test(`corpus is at least 1 MB (${corpusBytes} bytes, ${docs.length} documents)`, { skip: kb < 1024 && 'TOK_CORPUS_KB < 1024' }, () => {
  assert.ok(corpusBytes >= 1 << 20);
});

for (const target of Object.keys(runners)) {
  const why = available(target);
  // tokenizer.json against HF
  for (const file of hfFiles) {
    const skip = why || (!HF && '@anush008/tokenizers is not installed') || false;
    test(`${target}: ${file} matches HF tokenizers on the corpus`, { skip }, async () => {
      const got = run(target, ['tokenize', '-t', path.join(tokDir, file), '--jsonl'], jsonl).split('\n');
      compare(await hfRef(file, docs, false), got, docs, file);
    });
    test(`${target}: ${file} special tokens (--parse-special, with and without --add-special)`, { skip }, async () => {
      for (const add of [false, true]) {
        const args = ['tokenize', '-t', path.join(tokDir, file), '--jsonl', '--parse-special', ...(add ? ['--add-special'] : [])];
        compare(await hfRef(file, specialDocs, add), run(target, args, specialJsonl).split('\n'), specialDocs, `${file} add=${add}`);
      }
    });
  }
  // GGUF against llama.cpp (and HF / sentencepiece where they agree)
  for (const g of ggufs) {
    const skip = why || (!nlc && 'node-llama-cpp is not installed') || false;
    test(`${target}: ${g.name} matches llama.cpp on the corpus${g.hf ? ' and HF' : ''}`, { skip }, async () => {
      const file = ggufPath(g);
      const got = run(target, ['tokenize', '-t', file, '--jsonl'], jsonl).split('\n');
      compare(await llamaRef(file, docs, false), got, docs, `${g.name} vs llama.cpp`);
      if (g.hf && HF) compare(await hfRef(g.hf, docs, false), got, docs, `${g.name} vs HF`);
      const sp = run(target, ['tokenize', '-t', file, '--jsonl', '--parse-special'], specialJsonl).split('\n');
      compare(await llamaRef(file, specialDocs, true), sp, specialDocs, `${g.name} specials vs llama.cpp`);
    });
    if (g.sp) {
      test(`${target}: ${g.name} matches sentencepiece on the corpus (space runs collapsed)`, { skip: why || (!python && 'no python3-sentencepiece') || false }, async () => {
        const collapsed = docs.map((d) => d.replace(/ +/g, ' ').replace(/^ | $/g, ''));
        const got = run(target, ['tokenize', '-t', ggufPath(g), '--jsonl'], toJsonl(collapsed)).split('\n');
        compare(await spRef(g.sp, docs), got, docs, `${g.name} vs sentencepiece`);
      });
    }
  }
  test(`${target}: tokenize reads stdin verbatim; detokenize inverts it`, { skip: why || false }, () => {
    const file = path.join(tokDir, 'hf/llama3.tokenizer.json');
    const text = fs.readFileSync(path.join(shared, 'corpus', 'TinyStories-valid-sample.txt'));
    const ids = run(target, ['tokenize', '-t', file], text);
    assert.match(ids, /^\d+( \d+)*\n$/);
    const idFile = path.join(tmp, 'ids.txt');
    fs.writeFileSync(idFile, ids);
    const back = run(target, ['detokenize', '-t', file], fs.readFileSync(idFile));
    assert.ok(Buffer.from(back, 'utf8').equals(text));
  });
}
