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
