// Option checking for the public API (js/index.js): every option is checked
// on the caller's side before anything is posted to a worker, and a bad one is
// a MinnowError MN_E_INVALID_ARG whose message names the option, says what it
// takes and shows what it got. Unknown option names are errors too (a typo
// such as `max_tokens` would otherwise silently mean the default).
//
// Contract: the functions return plain, complete option objects (defaults
// filled in) or throw; nothing here touches wasm. The defaults below are the
// documented ones (js/index.d.ts, docs/js.md) and equal the C defaults
// (mn_gen_params_default, src/model/sampler.c).
import { mnError, THREADS_MAX } from './core.js';

const U32_MAX = 2 ** 32 - 1, I32_MAX = 2 ** 31 - 1;
const F32_MAX = 3.4028234663852886e38;

function show(v) {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v == null) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
const bad = (name, what, v) => mnError('MN_E_INVALID_ARG', `${name} must be ${what}, not ${show(v)}`);

function int(name, v, lo, hi, what) {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)) throw bad(name, what, v);
  return v;
}
// a float the C side takes as float32: finite there too
function real(name, v, ok, what) {
  if (!(typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= F32_MAX && ok(v))) throw bad(name, what, v);
  return v;
}
function bool(name, v) {
  if (typeof v !== 'boolean') throw bad(name, 'true or false', v);
  return v;
}
function known(where, o, names) {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object' || Array.isArray(o)) throw mnError('MN_E_INVALID_ARG', `${where}: options must be an object, not ${show(o)}`);
  for (const k of Object.keys(o)) {
    if (!names.includes(k)) throw mnError('MN_E_INVALID_ARG', `${where}: unknown option ${k} (known: ${names.filter((n) => !n.startsWith('_')).join(', ')})`);
  }
  return o;
}
function signalOf(name, v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || typeof v.aborted !== 'boolean' || typeof v.addEventListener !== 'function') throw bad(name, 'an AbortSignal', v);
  return v;
}

// The seed: a number or BigInt in [0, 2^64). Returned as a BigInt.
export function checkSeed(v) {
  if (typeof v === 'bigint') {
    if (v >= 0n && v < 2n ** 64n) return v;
  } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    return BigInt(v);
  }
  throw bad('seed', 'an integer in [0, 2^64) (a number up to 2^53 - 1, or a BigInt)', v);
}

export const GENERATE_DEFAULTS = Object.freeze({
  maxTokens: 128, temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1,
  presencePenalty: 0, frequencyPenalty: 0, penaltyLastN: 64, seed: 0, stop: [], addSpecial: true,
});
const GENERATE_NAMES = [...Object.keys(GENERATE_DEFAULTS), 'signal'];

// generate() options -> what the worker gets (seed as a decimal string).
export function generateOptions(options) {
  const o = { ...GENERATE_DEFAULTS, ...stripUndefined(known('generate()', options, GENERATE_NAMES)) };
  signalOf('signal', o.signal);
  let stop = o.stop;
  if (typeof stop === 'string') stop = [stop];
  if (!Array.isArray(stop)) throw bad('stop', 'a string or an array of strings', stop);
  for (const s of stop) {
    if (typeof s !== 'string' || s === '' || s.includes('\0')) throw bad('stop', 'a string or an array of strings, each non-empty and without NUL', s);
  }
  return {
    maxTokens: int('maxTokens', o.maxTokens, 0, U32_MAX, 'an integer >= 0 (0: until EOS, a stop string or the context is full)'),
    temperature: real('temperature', o.temperature, (x) => x >= 0, 'a finite number >= 0 (0: greedy)'),
    topK: int('topK', o.topK, 0, I32_MAX, 'an integer >= 0 (0: off)'),
    topP: real('topP', o.topP, (x) => x >= 0 && x <= 1, 'a number in [0, 1] (1: off)'),
    minP: real('minP', o.minP, (x) => x >= 0 && x <= 1, 'a number in [0, 1] (0: off)'),
    repeatPenalty: real('repeatPenalty', o.repeatPenalty, (x) => x > 0, 'a finite number > 0 (1: off)'),
    presencePenalty: real('presencePenalty', o.presencePenalty, () => true, 'a finite number (0: off)'),
    frequencyPenalty: real('frequencyPenalty', o.frequencyPenalty, () => true, 'a finite number (0: off)'),
    penaltyLastN: int('penaltyLastN', o.penaltyLastN, -1, I32_MAX, 'an integer >= -1 (0: no penalties, -1: the whole context)'),
    seed: checkSeed(o.seed).toString(),
    stop,
    addSpecial: bool('addSpecial', o.addSpecial),
  };
}

export const LOAD_DEFAULTS = Object.freeze({ threads: 'auto', cache: true });
const LOAD_NAMES = ['threads', 'onProgress', 'signal', 'expectedId', 'cache', 'memoryLimit', 'contextLength', 'batchSize', 'repack', 'wasmBase', '_holdBytes'];
const MIN_MEMORY = 16 * 1024 * 1024; // = INITIAL_MEMORY (js/core.js)
const CTX_MAX = 2 ** 24;             // the largest n_ctx mn_ctx_create() takes (src/model/ctx.c)

// load() options, checked and with defaults.
export function loadOptions(options) {
  const o = { ...LOAD_DEFAULTS, ...stripUndefined(known('load()', options, LOAD_NAMES)) };
  const t = o.threads;
  if (!(t === 'auto' || typeof t === 'boolean' || (Number.isInteger(t) && t >= 1 && t <= THREADS_MAX))) {
    throw bad('threads', `'auto', true, false or an integer in 1..${THREADS_MAX}`, t);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw bad('onProgress', 'a function', o.onProgress);
  signalOf('signal', o.signal);
  if (o.expectedId !== undefined && !(typeof o.expectedId === 'string' && /^[0-9a-fA-F]{64}$/.test(o.expectedId))) {
    throw bad('expectedId', 'a model id: 64 hex digits (BLAKE2b-256 of the file)', o.expectedId);
  }
  bool('cache', o.cache);
  if (o.memoryLimit !== undefined) real('memoryLimit', o.memoryLimit, (x) => x >= MIN_MEMORY, `a number of bytes >= ${MIN_MEMORY} (16 MiB; above 4 GiB means 4 GiB)`);
  if (o.contextLength !== undefined) int('contextLength', o.contextLength, 1, CTX_MAX, `a positive integer up to ${CTX_MAX} (tokens)`);
  if (o.batchSize !== undefined) int('batchSize', o.batchSize, 1, U32_MAX, 'a positive integer (tokens)');
  if (o.repack !== undefined && o.repack !== 'auto' && typeof o.repack !== 'boolean') throw bad('repack', "'auto', true or false", o.repack);
  if (o.wasmBase !== undefined && typeof o.wasmBase !== 'string' && !(o.wasmBase instanceof URL)) throw bad('wasmBase', 'a string or URL', o.wasmBase);
  return o;
}

export const TOKENIZE_DEFAULTS = Object.freeze({ addSpecial: true, parseSpecial: false });
export function tokenizeOptions(options) {
  const o = { ...TOKENIZE_DEFAULTS, ...stripUndefined(known('tokenize()', options, Object.keys(TOKENIZE_DEFAULTS))) };
  return { addSpecial: bool('addSpecial', o.addSpecial), parseSpecial: bool('parseSpecial', o.parseSpecial) };
}
export function detokenizeOptions(options) {
  const o = { skipSpecial: false, ...stripUndefined(known('detokenize()', options, ['skipSpecial'])) };
  return { skipSpecial: bool('skipSpecial', o.skipSpecial) };
}

// Token ids: an iterable of integers in int32 range (the C side checks them
// against the vocabulary: MN_E_TOK_INVALID_ID).
export function tokenIds(where, ids) {
  if (ids == null || typeof ids === 'string' || typeof ids[Symbol.iterator] !== 'function') {
    throw mnError('MN_E_INVALID_ARG', `${where}: expected an array of token ids, not ${show(ids)}`);
  }
  if (ids instanceof Int32Array) return ids;
  const out = [];
  for (const id of ids) {
    if (!(typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= I32_MAX)) {
      throw mnError('MN_E_INVALID_ARG', `${where}: token ids must be integers >= 0, not ${show(id)}`);
    }
    out.push(id);
  }
  return Int32Array.from(out);
}

function stripUndefined(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
