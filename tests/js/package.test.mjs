// The package: `npm pack` makes an installable ES module with its .d.ts and
// both wasm builds, and the checkout itself installs as `minnow`. Both are
// installed offline into a temporary project and load the real model there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelPath = path.resolve(root, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const goldenId = readFileSync(path.join(root, 'tests/golden/model-ids.txt'), 'utf8').split(/\s+/)[0];
const tmp = mkdtempSync(path.join(tmpdir(), 'minnow-pkg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const npm = (args, cwd) => execFileSync('npm', [...args, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
  { cwd, encoding: 'utf8', timeout: 120000 });

// A project that imports 'minnow' and loads the model on both builds.
function project(name) {
  const dir = path.join(tmp, name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `try-${name}`, version: '1.0.0', type: 'module', private: true }));
  writeFileSync(path.join(dir, 'main.mjs'), `import * as minnow from 'minnow';
    for (const threads of [1, 2]) {
      const m = await minnow.load(${JSON.stringify(modelPath)}, { threads });
      console.log(m.info.build, m.info.id);
      await m.dispose();
    }`);
  return dir;
}

test('npm pack: an installable package with the ES module, .d.ts and both wasm builds', () => {
  const out = path.join(tmp, 'pack');
  execFileSync('mkdir', ['-p', out]);
  npm(['pack', '--pack-destination', out], root);
  const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz, 'a tarball');
  const dir = project('tarball');
  npm(['install', path.join(out, tgz)], dir);
  const pkg = path.join(dir, 'node_modules', 'minnow');
  for (const f of ['js/index.js', 'js/index.d.ts', 'js/worker.js', 'js/worker-boot.js', 'build/wasm/st/minnow.wasm',
    'build/wasm/mt/minnow.wasm', 'build/wasm/mt/minnow.worker.js', 'build/wasm/mt/package.json']) {
    assert.ok(existsSync(path.join(pkg, f)), f);
  }
  assert.ok(!existsSync(path.join(pkg, 'src')), 'no C sources in the package');
  const run = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(run, `wasm-st ${goldenId}\nwasm-mt ${goldenId}\n`);
});

test("the checkout installs as 'minnow' (import * as minnow from '<checkout>')", () => {
  const dir = project('checkout');
  npm(['install', root], dir);
  const run = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(run, `wasm-st ${goldenId}\nwasm-mt ${goldenId}\n`);
});
