// Types of the minnow ES module (js/index.js). Browser and Node >= 18.19.

/** A C status as a JS error: `code` is the mn_status number, `status` its name. */
export class MinnowError extends Error {
  readonly name: 'MinnowError';
  /** mn_status number, e.g. 2 */
  readonly code: number;
  /** mn_status name, e.g. "MN_E_NOMEM" */
  readonly status: string;
  /** the C message (the handle's own message when there is one) */
  readonly detail: string;
}

/** A model file: a URL (or a path in Node), a Response, a Blob/File, bytes or a byte stream. */
export type ModelSource =
  | string
  | URL
  | Response
  | Blob
  | ArrayBuffer
  | ArrayBufferView
  | ReadableStream<Uint8Array>;

export interface LoadProgress {
  /** bytes in wasm memory so far ('load'), or written to the cache ('cache'); never decreases within a phase */
  loaded: number;
  /** the file size when known up front (Content-Length, file or Blob size), else null until the end */
  total: number | null;
  phase: 'load' | 'cache';
}

/**
 * Options of load(). Every option is checked before anything starts: a bad value or an unknown
 * name rejects with MinnowError MN_E_INVALID_ARG naming the option.
 */
export interface LoadOptions {
  /**
   * 'auto' (default): wasm/mt when threads are usable (else wasm/st) with a pool of one thread per
   * core (at most 8), of which the model uses as many as its size warrants: autoThreads(weightBytes,
   * pool), one thread per 32 MiB of weights, at least 1 (a tiny model runs faster on one thread than
   * on several: each matrix product is one parallel job, and waking and waiting for threads costs
   * more than a small job). 1..8: exactly that many (1: wasm/st). true = 'auto' but threads
   * required (MN_E_THREADS without them); false = 1.
   */
  threads?: 'auto' | number | boolean;
  onProgress?: (p: LoadProgress) => void;
  /** aborts the download/load; the promise rejects with the signal's reason */
  signal?: AbortSignal;
  /** the model id (BLAKE2b-256 of the file, 64 hex digits): a file with another id is refused (MN_E_ID_MISMATCH) */
  expectedId?: string;
  /** browsers: keep URL downloads in the Cache API, keyed by model id (default true) */
  cache?: boolean;
  /** most bytes this model's wasm memory may grow to (default and at most 4 GiB, at least 16 MiB) */
  memoryLimit?: number;
  /** context length in tokens, an integer in 1..16777216 (default: the model's training length, at most 4096) */
  contextLength?: number;
  /** most prompt tokens evaluated in one forward pass, a positive integer (default 64; above the context length means the context length) */
  batchSize?: number;
  /**
   * Q4_0 weight matrices rearranged in wasm memory at load for the int16 kernels (same results bit
   * for bit, ~1.4x faster GEMV): 'auto' (default) = true in wasm; false keeps the file's layout.
   * info.model.repacked_bytes says how many bytes were; the model id and the cached file are
   * always the file's bytes.
   */
  repack?: 'auto' | boolean;
  /** where minnow.js/minnow.wasm of the picked build live (default: the package's build/wasm/<st|mt>/) */
  wasmBase?: string | URL;
}

export interface ModelInfo {
  /**
   * model id: BLAKE2b-256 of the file, hex — present when the load checked it (expectedId given, or
   * read from the cache); otherwise the worker hashes the file after the load: Model.id()
   */
  readonly id?: string;
  /** file size in bytes */
  readonly size: number;
  /** where the bytes came from */
  readonly source: 'network' | 'cache' | 'file' | 'memory';
  /** true when the file was read from the Cache API (a download is written after the load: Model.cacheSaved) */
  readonly cached: boolean;
  readonly url?: string;
  /** general.architecture, e.g. "llama" */
  readonly arch?: string;
  readonly name?: string;
  readonly tensors: number;
  readonly keys: number;
  /** the wasm build picked */
  readonly build: 'wasm-mt' | 'wasm-st';
  readonly flavour: 'mt' | 'st';
  /** why wasm/st was picked ('' for mt) */
  readonly buildReason: string;
  /** compute threads the model uses (threads: 'auto': autoThreads(weightBytes, poolThreads)) */
  readonly threads: number;
  /** threads of the wasm instance (the worker and its pthread pool) */
  readonly poolThreads: number;
  readonly simd: string;
  readonly version: string;
  /** milliseconds from the load() call to the model ready */
  readonly loadMs: number;
  /**
   * where loadMs went, milliseconds from the worker's start of the load: start (from the load()
   * call to that start), spawn (from the call to the worker's first message), core (wasm instance
   * ready; overlaps the download), lastByte, ingest (every byte in wasm memory and parsed), keys
   * (of ingest: the tokenizer built from the file's keys during the download), hash (of ingest:
   * hashing to check an id), model (mn_model_load_gguf_tok), context, tokenizer (the context's),
   * infoJson, build (all four), total (from the call)
   */
  readonly timings: Readonly<Record<string, number>>;
  /** vocabulary size, training and actual context length */
  readonly nVocab: number;
  readonly nCtxTrain: number;
  readonly nCtx: number;
  /** bytes of the weight tensors (mn_model_weight_bytes) */
  readonly weightBytes: number;
  /** the C model description (mn_model_info_json: hyper-parameters, tokenizer, memory) */
  readonly model: Record<string, unknown>;
}

/**
 * Options of generate() (the defaults are the C library's, mn_gen_params_default). A bad value or
 * an unknown name rejects the generation's `result` and iterator with MinnowError MN_E_INVALID_ARG
 * naming the option; `undefined` means the default. Order of application: penalties, top-k, top-p,
 * min-p, temperature, draw.
 */
export interface GenerateOptions {
  /** an integer >= 0, default 128; 0: until EOS, a stop string or the context is full */
  maxTokens?: number;
  /** a finite number >= 0, default 0.8; 0: greedy */
  temperature?: number;
  /** an integer >= 0, default 40; 0: off */
  topK?: number;
  /** in [0, 1], default 0.95; 1: off */
  topP?: number;
  /** in [0, 1], default 0.05; 0: off */
  minP?: number;
  /** a finite number > 0, default 1 (off); logits > 0 are divided by it, others multiplied */
  repeatPenalty?: number;
  /** a finite number, default 0 (off): subtracted once from each token seen in the last penaltyLastN */
  presencePenalty?: number;
  /** a finite number, default 0 (off): subtracted per occurrence in the last penaltyLastN */
  frequencyPenalty?: number;
  /** an integer >= -1, default 64; 0: no penalties, -1: the whole context */
  penaltyLastN?: number;
  /** an integer in [0, 2^64): a number up to 2^53 - 1 or a BigInt; default 0. The same seed gives the same tokens on every target */
  seed?: number | bigint;
  /** stop strings (non-empty): generation ends before them (they are not part of the text); default none */
  stop?: string | string[];
  /** add the model's BOS etc. to a text prompt (default true, as the CLI's generate) */
  addSpecial?: boolean;
  /** stops generation between two tokens; the iterator rejects with the reason */
  signal?: AbortSignal;
}

export interface GenerationStats {
  promptTokens: number;
  generatedTokens: number;
  promptMs: number;
  decodeMs: number;
  /** generatedTokens per second of decode time */
  decodeTokensPerSecond: number;
  promptTokensPerSecond: number;
}

export interface GenerationResult {
  text: string;
  /** why it ended */
  reason: 'eos' | 'max-tokens' | 'stop' | 'context-full' | 'aborted';
  tokens: number[];
  stats: GenerationStats;
}

/**
 * Text pieces as they are generated (each whole UTF-8 characters), started at once; made by
 * Model.generate(), not by `new`. Errors (bad options included) reject `result` and next().
 */
export class Generation implements AsyncIterableIterator<string> {
  private constructor();
  /** resolves when generation ends (reason 'aborted' after an abort, with what was generated); rejects on error */
  readonly result: Promise<GenerationResult>;
  /** the signal given to generate() */
  readonly signal?: AbortSignal;
  /** stop between two tokens; the iterator then rejects with an AbortError (a `break` in for-await ends quietly) */
  abort(): void;
  /** tokens generated so far */
  readonly tokenCount: number;
  /** all of the text, once it ended */
  text(): Promise<string>;
  next(): Promise<IteratorResult<string, undefined>>;
  /** what `break` calls: stops the generation */
  return(): Promise<IteratorResult<string, undefined>>;
  [Symbol.asyncIterator](): Generation;
}

export interface TokenizeOptions {
  /** add the model's special tokens (BOS); default true */
  addSpecial?: boolean;
  /** special-token text in the input (e.g. "<s>") becomes those tokens; default false */
  parseSpecial?: boolean;
}

export interface DetokenizeOptions {
  /** leave special tokens (BOS, EOS, ...) out of the text; default false */
  skipSpecial?: boolean;
}

export interface Tokenization {
  ids: Int32Array;
  /** 2 per token: [start, end) UTF-8 byte offsets into the text (special tokens added by the model: [0, 0)) */
  offsets: Uint32Array;
  /** the same ranges as UTF-16 indices into the JS string (text.slice(a, b)); a range inside a character (byte-fallback tokens) widens to the whole character */
  charOffsets: Uint32Array;
}

export interface MemoryReport {
  /** bytes of wasm memory (grows, never shrinks while the instance lives) */
  wasmBytes: number;
  /** bytes malloc has handed out and not had back */
  heapUsed: number;
  /** heapUsed of the fresh instance */
  heapUsedAtStart: number;
  /** most bytes the wasm memory may grow to */
  limit: number;
}

/** A loaded model in a worker of its own; made by load(), not by `new`. */
export class Model {
  private constructor();
  readonly info: ModelInfo;
  readonly disposed: boolean;
  /**
   * The model id (BLAKE2b-256 of the file, hex, as `minnow id`): info.id when the load checked it,
   * else computed by the worker after the load while it is idle (~1.7 ms per MB; asking hurries
   * it). Rejects (MN_E_STATE) when the model was disposed before its id was asked for.
   */
  id(): Promise<string>;
  /**
   * Browsers, a URL download with cache on: resolves true once the file is written to the Cache API
   * (after the load, in the background: its id is computed first), false when it is not (no cache,
   * an error, dispose() first). Progress: onProgress with phase 'cache'.
   */
  readonly cacheSaved: Promise<boolean>;
  /**
   * prompt: text (tokenized with the model's BOS rule, see addSpecial), or token ids used as given.
   * Never throws: a bad prompt or option (MN_E_INVALID_ARG naming it), a disposed model or any C
   * error rejects `result` and the iterator's next(), like every other error.
   */
  generate(prompt: string | ArrayLike<number>, options?: GenerateOptions): Generation;
  /**
   * Token ids and offsets of text. addSpecial (default **true**): add the model's special tokens
   * (BOS) as generate() does for a text prompt, so generate((await tokenize(t)).ids) equals
   * generate(t) (note: the CLI's `minnow tokenize` adds none unless --add-special). parseSpecial
   * (default false): read special-token text such as "<s>" in the input as those tokens.
   */
  tokenize(text: string, options?: TokenizeOptions): Promise<Tokenization>;
  /** The text of token ids (integers >= 0; ids outside the vocabulary are MN_E_TOK_INVALID_ID). skipSpecial (default false): leave special tokens out. */
  detokenize(ids: ArrayLike<number> | Iterable<number>, options?: DetokenizeOptions): Promise<string>;
  memory(): Promise<MemoryReport>;
  /** free the model and end its worker; resolves to the heap in use after freeing and at the start (equal: nothing leaked) */
  dispose(): Promise<{ heapUsed?: number; heapUsedAtStart?: number }>;
}

/** Load a GGUF model into a worker of its own. */
export function load(source: ModelSource, options?: LoadOptions): Promise<Model>;

/** Which build load() would pick here, and why: throws MinnowError when SIMD128 is missing or threads were asked for and are unavailable. */
export function selectBuild(threads?: 'auto' | number | boolean, opts?: { cores?: number }): { flavour: 'mt' | 'st'; threads: number; reason: string; auto: boolean };
/** threads: 'auto': the compute threads a model with weightBytes of weights uses out of a pool of `pool`: max(1, min(pool, floor(weightBytes / AUTO_BYTES_PER_THREAD))) */
export function autoThreads(weightBytes: number, pool: number): number;
/** 32 MiB */
export const AUTO_BYTES_PER_THREAD: number;
export function simdSupported(): boolean;
/** true in Node, and in browsers on a cross-origin isolated page */
export function threadsUsable(): boolean;
export const THREADS_MAX: number;
/** minnow's version, e.g. "0.1.0" (package.json's, and the C core's that ModelInfo.version reports) */
export const VERSION: string;

/** The core, in this thread (Node, or inside a worker): build info, self-check, BLAKE2b, kernels. */
export function loadCore(options?: { threads?: 'auto' | number; memoryLimit?: number; wasmBase?: string | URL }): Promise<Core>;
export class Core {
  readonly flavour: 'mt' | 'st';
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  version(): string;
  target(): string;
  simdBackend(): string;
  threadsMax(): number;
  heapBytes(): number;
  heapUsed(): number;
  capabilities(): Record<string, unknown> & { flavour: 'mt' | 'st' };
  selftest(threads?: number): { ok: boolean; status: number; report: string };
  blake2b(data: Uint8Array | string, options?: { length?: number; key?: Uint8Array }): Uint8Array;
  modelId(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<string>;
  matvecF32(W: Float32Array, x: Float32Array, rows: number, cols: number, options?: { threads?: number }): Float32Array;
  dispose(): void;
}

declare const minnow: {
  load: typeof load;
  MinnowError: typeof MinnowError;
  THREADS_MAX: number;
  VERSION: string;
};
export default minnow;
