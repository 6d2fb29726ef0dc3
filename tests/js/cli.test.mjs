// The CLI gives the same answers on native, Emscripten (st, mt) and WASI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runners = {
  native: (args) => [path.join(root, 'build/native/minnow'), args],
  'wasm-st': (args) => ['node', [path.join(root, 'build/wasm/st/minnow-cli.js'), ...args]],
  'wasm-mt': (args) => ['node', [path.join(root, 'build/wasm/mt/minnow-cli.js'), ...args]],
  wasi: (args) => [path.join(root, 'scripts/minnow-wasi'), args],
};
function run(target, args, opts = {}) {
  const [cmd, argv] = runners[target](args);
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: root, ...opts });
}

const file = path.resolve(root, '..', 'shared', 'corpus', 'alice29.txt');
const nativeId = run('native', ['id', file]);

for (const target of Object.keys(runners)) {
  test(`${target}: version, id (absolute and relative path), selftest`, () => {
    assert.match(run(target, ['version']), /^minnow \d+\.\d+\.\d+\n$/);
    assert.equal(run(target, ['id', file]), nativeId);
    const rel = path.relative(root, file);
    assert.equal(run(target, ['id', rel]).split(' ')[0], nativeId.split(' ')[0]);
    const st = run(target, ['selftest', '--threads', target === 'native' || target === 'wasm-mt' ? '2' : '1']);
    assert.match(st, /selftest: ok/);
    assert.equal(JSON.parse(run(target, ['capabilities'])).target, target);
  });
  test(`${target}: a missing file is an error with a non-zero exit`, () => {
    assert.throws(() => run(target, ['id', '/nonexistent/file']), (e) => e.status === 1 && /MN_E_IO/.test(e.stderr));
  });
}

// ------------------------------------------------- the CLI's contract
// --help on every command; usage errors exit 2 with a reason; failures exit
// 1 without repeating the path; quantize never replaces its input unasked.
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';

const shared = path.resolve(root, '..', 'shared');
const stories = path.join(shared, 'models', 'stories260K', 'stories260K.gguf');
const commands = ['generate', 'perplexity', 'info', 'convert', 'quantize', 'synth', 'tokenize', 'detokenize', 'id',
  'selftest', 'capabilities', 'version'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-cli-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// status, stdout, stderr (no throw)
function res(target, args) {
  const [cmd, argv] = runners[target](args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

for (const target of Object.keys(runners)) {
  test(`${target}: --help on every command: usage on stdout, exit 0`, () => {
    const top = res(target, ['--help']);
    assert.equal(top.status, 0);
    assert.match(top.out, /^usage: minnow COMMAND/);
    // every command listed once, names in one aligned column
    const rows = top.out.split('\n').filter((l) => /^  [a-z]/.test(l));
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), commands);
    assert.equal(new Set(rows.map((l) => l.length - l.replace(/^  \S+\s+/, '').length)).size, 1, 'summaries start in one column');
    for (const c of commands) {
      const r = res(target, [c, '--help']);
      assert.equal(r.status, 0, `${c} --help: ${r.err}`);
      assert.match(r.out, new RegExp(`^usage: minnow ${c}\\b`), c);
      assert.equal(r.err, '', `${c} --help writes nothing on stderr`);
    }
    // --help later among the options too, and help CMD
    assert.equal(res(target, ['generate', '-m', 'x.gguf', '--help']).status, 0);
    assert.match(res(target, ['help', 'quantize']).out, /--inplace/);
    // id --help is help, not a file called --help; such a file needs --
    assert.doesNotMatch(res(target, ['id', '--help']).err, /cannot hash/);
    const dash = res(target, ['id', '--', '--help']);
    assert.equal(dash.status, 1);
    assert.match(dash.err, /cannot hash --help/);
  });

  test(`${target}: capabilities ends with a newline; no command means usage on stderr, exit 2`, () => {
    assert.match(res(target, ['capabilities']).out, /\}\n$/);
    const none = res(target, []);
    assert.equal(none.status, 2);
    assert.match(none.err, /^usage: minnow COMMAND/);
    const extra = res(target, ['version', 'x']);
    assert.equal(extra.status, 2);
    assert.match(extra.err, /unexpected argument 'x'/);
  });

  test(`${target}: option values are checked: exit 2 naming the option and the range`, () => {
    const gen = (...a) => res(target, ['generate', '-m', stories, ...a]);
    const cases = [
      [['--temp', '-1'], /bad value for --temp: '-1' \(a number >= 0; 0 = greedy\)/],
      [['--temp', 'nan'], /bad value for --temp/],
      [['--top-p', '2'], /bad value for --top-p: '2' \(0\.\.1/],
      [['--min-p', '1.5'], /bad value for --min-p: '1\.5' \(0\.\.1/],
      [['--repeat-penalty', '0'], /bad value for --repeat-penalty: '0' \(a number > 0/],
      [['--presence-penalty', 'inf'], /bad value for --presence-penalty/],
      [['--frequency-penalty', 'nan'], /bad value for --frequency-penalty/],
      [['--top-k', '-3'], /bad value for --top-k/],
      [['--seed', '-1'], /bad value for --seed: '-1' \(an integer 0\.\.18446744073709551615\)/],
      [['--seed', '18446744073709551616'], /bad value for --seed/],
      [['--seed', '99999999999999999999999'], /bad value for --seed/],
      [['--seed', 'abc'], /bad value for --seed/],
      [['--threads', '100000'], /bad value for --threads: '100000'/],
      [['-p', 'x', '-p', 'y'], /one prompt only/],
      [['-p', 'x', '-f', 'y.txt'], /one prompt only/],
      [['--bogus'], /unknown option '--bogus'/],
      [['-n'], /missing value for -n/],
    ];
    for (const [args, re] of cases) {
      const r = gen(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, re, args.join(' '));
      assert.equal(r.out, '');
    }
    assert.match(res(target, ['generate', '-m']).err, /missing value for -m/);
    // the largest seed is valid and differs from seed 0... and from 2^64 - 2
    const seedText = (s) => res(target, ['generate', '-m', stories, '-n', '40', '--temp', '1.5', '--top-k', '0', '--top-p', '1',
      '--min-p', '0', '--print-ids', '--seed', s]).out;
    const top = seedText('18446744073709551615');
    assert.ok(top.length > 0);
    assert.notEqual(top, seedText('18446744073709551614'));
    // perplexity's window: why --ctx 1 is refused
    const ppl = res(target, ['perplexity', '-m', stories, '-f', 'x.txt', '--ctx', '1']);
    assert.equal(ppl.status, 2);
    assert.match(ppl.err, /bad value for --ctx: '1' \(4\.\./);
    // --threads out of range is a usage error everywhere (WASI/wasm-st: 1 only)
    const st = res(target, ['selftest', '--threads', '100']);
    assert.equal(st.status, 2);
    assert.match(st.err, /bad value for --threads: '100'/);
  });

  test(`${target}: error messages name the file once, with the reason`, () => {
    const info = res(target, ['info', 'nope.gguf']);
    assert.equal(info.status, 1);
    assert.match(info.err, /^minnow: cannot open nope\.gguf: No such file or directory \(MN_E_IO\)\n$/);
    const trunc = path.join(tmp, `${target}-trunc10.gguf`);
    fs.writeFileSync(trunc, fs.readFileSync(stories).subarray(0, 10));
    const t = res(target, ['info', trunc]);
    assert.equal(t.status, 1);
    assert.match(t.err, /inside the header, at byte 8 \(MN_E_GGUF_TRUNCATED\)/);
    assert.equal(t.err.split(trunc).length, 2, 'the path once');
    const conv = res(target, ['convert', stories, '-o', path.join(tmp, 'never.gguf')]);
    assert.equal(conv.status, 1);
    assert.match(conv.err, /already a GGUF file/);
    const bin = path.join(shared, 'models', 'stories260K', 'stories260K.bin');
    const missing = path.join(tmp, 'no-such-dir', 'x.gguf'); // inside a WASI preopen: ENOENT, not ENOTCAPABLE
    const w = res(target, ['convert', bin, '-o', missing]);
    assert.equal(w.status, 1);
    assert.ok(w.err.startsWith(`minnow: cannot write ${missing}: `), w.err);
    assert.match(w.err, /: No such file or directory \(MN_E_IO\)\n$/);
    assert.doesNotMatch(w.err, /stories260K\.bin/);
    const empty = path.join(tmp, `${target}-empty.txt`), one = path.join(tmp, `${target}-one.txt`);
    fs.writeFileSync(empty, '');
    fs.writeFileSync(one, 'Once upon a time there was a girl.');
    assert.match(res(target, ['perplexity', '-m', stories, '-f', empty]).err, /is empty/);
    const short = res(target, ['perplexity', '-m', stories, '-f', one]);
    assert.equal(short.status, 1);
    assert.match(short.err, /is \d+ tokens long, less than one window of 512: use --ctx \d+ or less/);
  });

  test(`${target}: stderr of generate and perplexity reads well in a log (no blank line, no \\r)`, () => {
    const g = res(target, ['generate', '-m', stories, '-p', 'Once upon a time', '-n', '8', '--temp', '0']);
    assert.equal(g.status, 0);
    assert.doesNotMatch(g.err, /\n\n|^\n/);
    assert.match(g.err, /\(token limit\)\nprompt: [0-9.]+ tok\/s, decode: [0-9.]+ tok\/s\n$/);
    // a prompt that fills the context: one token, "(context full)", exit 0
    const full = res(target, ['generate', '-m', stories, '-p', 'Once upon a time', '--ctx', '5', '--temp', '0']);
    assert.equal(full.status, 0);
    assert.match(full.err, /1 generated in [0-9.]+ ms \(context full\)/);
    const text = path.join(shared, 'corpus', 'TinyStories-valid-sample.txt');
    const p = res(target, ['perplexity', '-m', stories, '-f', text, '--ctx', '256']);
    assert.equal(p.status, 0);
    assert.doesNotMatch(p.err, /\r/);
    assert.match(p.out, /^perplexity: [0-9.]+\nnats per token: [0-9.]+\nbits per byte: [0-9.]+\n$/);
  });

  test(`${target}: generate --repack / --no-repack: the same text; Q4_0 rearranged by default in wasm only`, () => {
    const q4 = path.join(tmp, 'q4_0.gguf'); // untied, pure Q4_0, dim 256, stories260K's 512-token vocabulary
    if (!fs.existsSync(q4)) {
      run('native', ['synth', '--shape', 'tiny', '--type', 'Q4_0', '--pure', '--untied', '--vocab', stories, '-o', q4]);
    }
    const gen = (...flags) => res(target, ['generate', '-m', q4, '-p', 'Once upon a time', '-n', '12', '--temp', '0', ...flags]);
    const [auto, on, off] = [gen(), gen('--repack'), gen('--no-repack')];
    for (const r of [auto, on, off]) assert.equal(r.status, 0, r.err);
    assert.equal(on.out, off.out);
    assert.equal(auto.out, off.out);
    assert.match(on.err, /, [0-9.]+ MiB of Q4_0 rearranged, loaded in/);
    assert.doesNotMatch(off.err, /rearranged/);
    if (target === 'native') assert.doesNotMatch(auto.err, /rearranged/); // x86: Q4_0's VNNI / pmaddubsw kernels are faster
    else assert.match(auto.err, /rearranged/);
  });

  test(`${target}: quantize refuses to replace its input (same path, hard link, symlink) or a read-only file`, () => {
    const dir = fs.mkdtempSync(path.join(tmp, `${target}-q`));
    const input = path.join(dir, 'in.gguf');
    fs.copyFileSync(stories, input);
    fs.chmodSync(input, 0o644);
    const hash = () => run('native', ['id', input]).split(' ')[0];
    const before = hash();
    fs.linkSync(input, path.join(dir, 'hard.gguf'));
    fs.symlinkSync(input, path.join(dir, 'sym.gguf'));
    for (const out of ['in.gguf', 'hard.gguf', 'sym.gguf']) {
      const r = res(target, ['quantize', input, path.join(dir, out), 'Q8_0']);
      assert.equal(r.status, 1, `${out}: ${r.err}`);
      assert.match(r.err, /is the input file itself: refusing to replace it .*--inplace/, out);
    }
    assert.equal(hash(), before, 'the input is untouched');
    // a read-only output is never replaced, --force or not (rename would, even
    // for root); WASI has no file modes, so there is nothing to honour there
    if (target !== 'wasi') {
      const ro = path.join(dir, 'ro.gguf');
      fs.writeFileSync(ro, 'keep');
      fs.chmodSync(ro, 0o444);
      for (const extra of [[], ['--force']]) {
        const r = res(target, ['quantize', input, ro, 'Q8_0', ...extra]);
        assert.equal(r.status, 1);
        assert.match(r.err, /read-only: refusing to replace it/);
      }
      assert.equal(fs.readFileSync(ro, 'utf8'), 'keep');
    }
    // asked explicitly: replaced, and said so
    const r = res(target, ['quantize', input, input, 'Q8_0', '--inplace']);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^.*in\.gguf \(replaced the input\): Q8_0/);
    assert.notEqual(hash(), before);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('minnow-tmp')), []);
  });

  test(`${target}: info --json has the model and the memory needed; --full prints arrays whole`, () => {
    const j = JSON.parse(res(target, ['info', stories, '--json']).out);
    assert.equal(j.model.arch, 'llama');
    assert.equal(j.model.n_ctx_train, 2048);
    assert.equal(j.memory.weight_bytes, j.model.weight_bytes);
    assert.equal(j.memory.context_default.n_ctx, 2048);
    assert.ok(j.memory.context_default.bytes > 2048 * j.memory.kv_bytes_per_token * 0.99);
    // the KV cache alone: K and V, f32, n_layer x n_head_kv x head_dim per token
    assert.ok(j.memory.kv_bytes_per_token >= 2 * 4 * j.model.n_layer * j.model.n_head_kv * j.model.head_dim_k);
    const text = res(target, ['info', stories]).out;
    assert.match(text, new RegExp(`a context of 2048 tokens \\(the default\\) [0-9.]+ MiB .*${j.memory.kv_bytes_per_token} bytes per token`));
    const toks = j.metadata.find((k) => k.key === 'tokenizer.ggml.tokens');
    assert.equal(toks.values.length, 8);
    assert.equal(toks.values_truncated, true);
    const full = JSON.parse(res(target, ['info', stories, '--json', '--full']).out);
    const all = full.metadata.find((k) => k.key === 'tokenizer.ggml.tokens');
    assert.equal(all.values.length, 512);
    assert.equal(all.values_truncated, false);
    assert.doesNotMatch(res(target, ['info', stories, '--full']).out, /more\)\]/);
    // not a decoder: model null with the reason
    const tokOnly = path.join(shared, 'tokenizers', 'gguf-vocab', 'ggml-vocab-bert-bge.gguf');
    if (fs.existsSync(tokOnly)) {
      const b = JSON.parse(res(target, ['info', tokOnly, '--json']).out);
      assert.equal(b.model, null);
      assert.equal(b.memory, null);
      assert.match(b.model_error.status, /^MN_E_/);
    }
  });
}
