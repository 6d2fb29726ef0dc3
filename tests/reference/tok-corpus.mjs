// Deterministic tokenizer test corpus: a list of documents (strings) built from
// the shared English texts plus generated code, URLs, numbers, whitespace runs,
// emoji/ZWJ sequences, combining marks, CJK, Arabic/Hebrew and seeded random
// Unicode (assigned in Unicode 15.0). Same seed -> same corpus on every machine
// that has ../shared.
import fs from 'node:fs';
import path from 'node:path';

function rng(seed) {
  // splitmix64 on BigInt, returns floats in [0,1)
  let s = BigInt.asUintN(64, BigInt(seed));
  return () => {
    s = BigInt.asUintN(64, s + 0x9E3779B97F4A7C15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
    z = z ^ (z >> 31n);
    return Number(z >> 11n) / 2 ** 53;
  };
}

const cp = (x) => String.fromCodePoint(x);

// Code points assigned in Unicode <= 15.0, from the UCD's DerivedAge.txt
// (Debian unicode-data, the same data scripts/gen-unicode.py uses). Node's ICU
// and HF's Oniguruma may know a newer Unicode: characters added later would
// test the version difference, not the tokenizer.
function assigned150() {
  let txt = '';
  try { txt = fs.readFileSync('/usr/share/unicode/DerivedAge.txt', 'utf8'); } catch { /* fallback below */ }
  const ranges = [];
  for (const line of txt.split('\n')) {
    const m = /^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*(\d+)\.(\d+)/.exec(line);
    if (!m) continue;
    const major = Number(m[3]), minor = Number(m[4]);
    if (major > 15 || (major === 15 && minor > 0)) continue;
    ranges.push([parseInt(m[1], 16), parseInt(m[2] || m[1], 16)]);
  }
  if (!ranges.length) ranges.push([0x20, 0x7e], [0xa0, 0x2fff], [0x4e00, 0x9fff], [0xac00, 0xd7a3]);
  ranges.sort((a, b) => a[0] - b[0]);
  return ranges;
}

export function makeCorpus({ sharedDir, seed = 1, targetBytes = 1 << 20 }) {
  const R = rng(seed);
  const age = assigned150();
  const ageTotal = age.reduce((n, [a, b]) => n + b - a + 1, 0);
  const randomAssigned = () => {
    let k = int(ageTotal);
    for (const [a, b] of age) { if (k <= b - a) return a + k; k -= b - a + 1; }
    return 0x41;
  };
  const int = (n) => Math.floor(R() * n);
  const pick = (a) => a[int(a.length)];
  const range = (lo, hi) => cp(lo + int(hi - lo + 1));
  const read = (f) => {
    try { return fs.readFileSync(path.join(sharedDir, 'corpus', f), 'latin1'); } catch { return ''; }
  };
  const english = [read('alice29.txt'), read('lcet10.txt'), read('TinyStories-valid-sample.txt')].filter((s) => s);
  const html = read('html');
  const urls = read('urls.10K').split('\n').filter((s) => s);

  const slice = (s, max) => {
    if (!s) return 'The quick brown fox.';
    const a = int(s.length);
    return s.slice(a, a + 1 + int(max));
  };
  const words = ['the', 'The', "don't", "I'M", "we'LL", "it'S", "they'Re", "you'VE", "she'd", "O'Neil", "'tis",
    'naïve', 'café', 'Straße', 'ſtraße', "'ſ", 'ﬁnal', 'İstanbul', 'ΑΘΗΝΑ', 'Москва', 'x86_64', 'foo_bar',
    'camelCase', 'HTTPServer', 'e.g.', 'U.S.A.', '¿Qué?', '¡Hola!', 'naïveté', 'coöperate'];
  const ws = [' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', ' \n', '\n ', '\u00a0', '\u3000', '\u2028', '\u0085',
    '\u000b', '\f', '\u2003', ' \t ', '\n\n\n   ', '\u200b', '\ufeff'];
  const emoji = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇺🇸', '🇯🇵', '1️⃣', '❤️', '🧑🏿‍🚀', '🤷‍♀️', '✌🏻', '🫠', '🪿'];
  const gens = [
    () => slice(pick(english), 3000),
    () => slice(pick(english), 400),
    () => Array.from({ length: 1 + int(30) }, () => pick(words)).join(pick([' ', ' ', ', ', '  ', '\n'])),
    () => {
      const id = () => pick(['x', 'buf', 'len', 'i', 'ctx', 'mn_tok', 'fooBar', '_tmp', 'self']) + (R() < 0.3 ? int(100) : '');
      const lines = [];
      for (let i = 0; i < 1 + int(12); i++) {
        lines.push(pick(['    ', '\t', '', '        ']) + pick([
          `if (${id()} == ${int(1000)}) { return ${id()}; }`,
          `for (size_t ${id()} = 0; ${id()} < ${id()}; ${id()}++) ${id()}[${id()}] += 0x${int(65536).toString(16)};`,
          `def ${id()}(${id()}, *args, **kw):  # comment`,
          `const ${id()} = await fetch("https://example.com/${id()}?q=${int(99)}");`,
          `${id()} = [${int(9)}, ${int(99)}.${int(999)}, -${int(9)}e-${int(9)}]`,
          `#include <${id()}.h>`, `// TODO(${id()}): fix ${id()}!!!`, `}`, '', `x=y+z*2/3-(a&&b||c)^~d;`,
        ]));
      }
      return lines.join(pick(['\n', '\r\n']));
    },
    () => Array.from({ length: 1 + int(8) }, () => pick(urls) || 'http://a.b/c').join(pick(['\n', ' ', ', '])),
    () => slice(html, 1500),
    () => Array.from({ length: 1 + int(20) }, () => pick([
      String(int(1e9)), `${int(100)}.${int(100)}`, `${int(10)},${String(int(1000)).padStart(3, '0')},${String(int(1000)).padStart(3, '0')}`,
      `+1 (${int(1000)}) ${int(1000)}-${int(10000)}`, `${2000 + int(30)}-${1 + int(12)}-${1 + int(28)}`, '3.14159265358979',
      '١٢٣٤٥', '٣.١٤', '१२३', '一二三', '½', '²³', 'Ⅻ', '0x1F600', `${int(10)}${int(10)}${int(10)}${int(10)}${int(10)}`,
    ])).join(pick([' ', '', ', ', '\n'])),
    () => Array.from({ length: 1 + int(20) }, () => pick(ws) + (R() < 0.5 ? pick(words) : '')).join(''),
    () => Array.from({ length: 1 + int(15) }, () => pick(emoji) + (R() < 0.3 ? ' ' : '')).join(''),
    () => Array.from({ length: 1 + int(20) }, () => {
      let w = pick(['e', 'a', 'o', 'n', 'Z', 'ค', 'क', 'ṩ', 'ư']);
      for (let k = int(5); k > 0; k--) w += range(0x300, 0x36f);
      return w + (R() < 0.3 ? ' ' : '');
    }).join(''),
    () => Array.from({ length: 1 + int(60) }, () => pick([
      () => range(0x4e00, 0x9fff), () => range(0x3041, 0x3096), () => range(0x30a1, 0x30fa), () => range(0xac00, 0xd7a3),
      () => range(0x1100, 0x1112) + range(0x1161, 0x1175), () => '。', () => '、', () => ' ', () => '「', () => '」',
    ])()).join(''),
    () => Array.from({ length: 1 + int(20) }, () => {
      const ar = R() < 0.5;
      let w = '';
      for (let k = 1 + int(7); k > 0; k--) w += ar ? range(0x621, 0x64a) : range(0x5d0, 0x5ea);
      if (ar && R() < 0.3) w += range(0x64b, 0x652);
      return w;
    }).join(pick([' ', ' ', '، ', '\n'])),
    () => {
      let s = '';
      for (let k = 1 + int(40); k > 0; k--) {
        let c;
        do { c = randomAssigned(); } while (c >= 0xd800 && c <= 0xdfff);
        s += cp(c);
        if (R() < 0.2) s += pick(ws);
      }
      return s;
    },
    () => {
      // a bit of everything, glued without separators
      let s = '';
      for (let k = 2 + int(6); k > 0; k--) s += pick([pick(words), pick(ws), pick(emoji), String(int(1e6)), '...', '--', "'s", '!!', '\u0301'].map(String));
      return s;
    },
  ];
  const docs = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    let d = '';
    for (let k = 1 + int(3); k > 0; k--) d += gens[int(gens.length)]() + (R() < 0.5 ? pick(ws) : '');
    // latin1-read English may contain stray C1 bytes: keep them, they are valid code points
    docs.push(d);
    bytes += Buffer.byteLength(d, 'utf8');
  }
  return docs;
}

// Invalid UTF-8: documents of the corpus (as bytes, NUL-free) with invalid
// sequences spliced in at random byte positions (so multi-byte characters get
// cut too): stray continuation bytes, overlong forms, surrogates, code points
// above U+10FFFF, truncated sequences, bytes that never occur in UTF-8.
export function invalidUtf8Docs(docs, { seed = 7, count = 400 } = {}) {
  const R = rng(seed);
  const int = (n) => Math.floor(R() * n);
  const bad = [[0x80], [0xbf], [0xbf, 0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xc3], [0xe0, 0x80, 0x80], [0xe0, 0xa0],
    [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x9f], [0xf0, 0x9f, 0x98],
    [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe], [0xff, 0xff], [0xef, 0xbf]];
  const out = [];
  const step = Math.max(1, Math.floor(docs.length / count));
  for (let i = 0; i < docs.length && out.length < count; i += step) {
    let b = Buffer.from(docs[i].replace(/\0/g, ''), 'utf8');
    for (let k = 1 + int(4); k > 0; k--) {
      const at = [0, b.length, int(b.length + 1)][int(3)];
      b = Buffer.concat([b.subarray(0, at), Buffer.from(bad[int(bad.length)]), b.subarray(at)]);
    }
    out.push(b);
  }
  return out;
}

// What a lossy UTF-8 decoder gives (U+FFFD per maximal invalid subpart, as
// Buffer.toString, TextDecoder, Python's errors="replace"), and the byte
// position in buf of each code point of it (plus buf.length at the end).
export function lossyDecode(buf) {
  const starts = [];
  let s = '';
  for (let i = 0; i < buf.length;) {
    const c = buf[i];
    let need = 0, lo = 0x80, hi = 0xbf;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else need = -1;
    starts.push(i);
    if (need < 0) { s += '\ufffd'; i++; continue; }
    let k = 1;
    while (k <= need && i + k < buf.length && buf[i + k] >= (k === 1 ? lo : 0x80) && buf[i + k] <= (k === 1 ? hi : 0xbf)) k++;
    if (k <= need) { s += '\ufffd'; i += k; continue; }
    s += buf.subarray(i, i + k).toString('utf8');
    i += k;
  }
  starts.push(buf.length);
  return { text: s, starts };
}
