import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SessionOnThisThread, SessionThreads, type ForwardPasses } from './forward-passes';
import { WordPieceTokenizer } from './wordpiece-tokenizer';

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX) on the CPU, as sentence-transformers
 * computes them: BERT token states, mean-pooled over the attention mask, L2-normalised.
 */

export interface EmbedderOptions {
  /** Folder written by `infra/install-model.sh` (the configuration's CAIRN_EMBEDDING_MODEL_DIR). */
  modelDir?: string;
  /** Texts per forward pass. */
  batchSize?: number;
  /**
   * Forward passes that run at once, each on a thread of its own with a one-thread session:
   * the most throughput per core, for bulk embedding. 0 (the default) runs one session on the
   * calling thread with `intraOpThreads` threads: the least latency for a single query.
   */
  parallelPasses?: number;
  /** Threads of one forward pass on the calling thread; defaults to the number of cores. */
  intraOpThreads?: number;
  /** Longest input in tokens, [CLS] and [SEP] included; defaults to the model's max_seq_length. */
  maxSequenceLength?: number;
  /**
   * Let idle pool threads spin between operators. Faster on idle cores; on a busy machine (the
   * ai worker also parses and extracts) spinning steals CPU from other work. Defaults to false.
   */
  spinThreads?: boolean;
  /** Stored next to vectors so that vectors of different models are never compared. */
  modelId?: string;
}

/**
 * Chosen on MuSiQue-100 passages (`npm run bench:embed -- --batch-size N --parallel 2`). On an
 * Intel machine with AVX-512 VNNI, CPU time per passage was flat from batch 1 to 8 and grew
 * beyond (16: +13%, 32: +22%, 64: +48%); on an AMD EPYC with AVX2 only, batch 4 took 72.0 CPU s,
 * 2 took 73.6, 6 took 74.6, 8 took 81.5 and 16 took 86.9. Longer padded batches cost more than
 * the per-call overhead they save; 4 is the best or as good on both.
 */
export const DEFAULT_EMBEDDING_BATCH_SIZE = 4;
export const DEFAULT_EMBEDDING_MODEL_ID = 'sentence-transformers/all-MiniLM-L6-v2@onnx-int8';

/** Passes side by side for bulk embedding: the configured number, or one per core when 0. */
export function bulkParallelPasses(configured: number): number {
  return configured > 0 ? configured : availableParallelism();
}

const MODEL_FILE = 'model.onnx';
const TOKENIZER_FILE = 'tokenizer.json';
const INSTALL_HINT = 'run `bash infra/install-model.sh`';

export class Embedder {
  readonly dimensions: number;
  readonly modelId: string;
  readonly maxSequenceLength: number;
  readonly batchSize: number;

  private constructor(
    private readonly passes: ForwardPasses,
    readonly tokenizer: WordPieceTokenizer,
    settings: { dimensions: number; modelId: string; batchSize: number },
  ) {
    this.dimensions = settings.dimensions;
    this.modelId = settings.modelId;
    this.batchSize = settings.batchSize;
    this.maxSequenceLength = tokenizer.maxLength;
  }

  static async load(options: EmbedderOptions = {}): Promise<Embedder> {
    const modelDir = options.modelDir;
    if (!modelDir) {
      throw new Error(
        `CAIRN_EMBEDDING_MODEL_DIR is not set (source infra/env.sh), then ${INSTALL_HINT}`,
      );
    }
    for (const file of [MODEL_FILE, TOKENIZER_FILE]) {
      if (!existsSync(join(modelDir, file))) {
        throw new Error(
          `Embedding model not found: ${join(modelDir, file)} is missing; ${INSTALL_HINT}`,
        );
      }
    }
    const batchSize = options.batchSize ?? DEFAULT_EMBEDDING_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    }

    const modelConfig = readJsonIfPresent<{
      hidden_size?: number;
      max_position_embeddings?: number;
    }>(join(modelDir, 'config.json'));
    const sentenceConfig = readJsonIfPresent<{ max_seq_length?: number }>(
      join(modelDir, 'sentence_bert_config.json'),
    );
    // tokenizer.json says 128 (the length used in training); sentence-transformers runs the model
    // with max_seq_length 256, and the position table allows 512.
    const maxSequenceLength =
      options.maxSequenceLength ??
      sentenceConfig.max_seq_length ??
      modelConfig.max_position_embeddings ??
      256;
    const tokenizer = WordPieceTokenizer.fromFile(join(modelDir, TOKENIZER_FILE), {
      maxLength: maxSequenceLength,
    });

    const dimensions = modelConfig.hidden_size ?? 384;
    const modelPath = join(modelDir, MODEL_FILE);
    const parallelPasses = options.parallelPasses ?? 0;
    const settings = {
      // 'all' folds the int8 → float dequantisation of the weights into constants once, at load.
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads:
        parallelPasses > 0 ? 1 : (options.intraOpThreads ?? availableParallelism()),
      interOpNumThreads: 1,
      extra: { session: { intra_op: { allow_spinning: options.spinThreads ? '1' : '0' } } },
    } as const;
    const passes =
      parallelPasses > 0
        ? await SessionThreads.open(modelPath, settings, dimensions, parallelPasses)
        : await SessionOnThisThread.open(modelPath, settings, dimensions);
    for (const input of ['input_ids', 'attention_mask', 'token_type_ids']) {
      if (!passes.inputNames.includes(input)) {
        await passes.close();
        throw new Error(`${modelPath}: expected an input named ${input}`);
      }
    }

    return new Embedder(passes, tokenizer, {
      dimensions,
      modelId: options.modelId ?? DEFAULT_EMBEDDING_MODEL_ID,
      batchSize,
    });
  }

  /** One unit-length vector per text, in the order given. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const encodings = texts.map((text) => this.tokenizer.encode(text).ids);
    // Similar lengths in a batch keep padding, which the model computes for nothing, small.
    const order = encodings
      .map((_, index) => index)
      .sort((a, b) => encodings[a].length - encodings[b].length);
    const vectors = new Array<Float32Array>(texts.length);
    const batches: Promise<void>[] = [];
    for (let start = 0; start < order.length; start += this.batchSize) {
      const batchIndices = order.slice(start, start + this.batchSize);
      batches.push(
        this.embedBatch(batchIndices.map((index) => encodings[index])).then((batchVectors) =>
          batchIndices.forEach(
            (textIndex, position) => (vectors[textIndex] = batchVectors[position]),
          ),
        ),
      );
    }
    // The passes queue up behind each other (or run side by side on threads).
    await Promise.all(batches);
    return vectors;
  }

  async embedOne(text: string): Promise<Float32Array> {
    const [vector] = await this.embed([text]);
    return vector;
  }

  /** Number of tokens the model sees for a text ([CLS] and [SEP] included, after truncation). */
  countTokens(text: string): number {
    return this.tokenizer.encode(text).ids.length;
  }

  /** False once closed, or once a thread of its passes died: load a new one then. */
  get usable(): boolean {
    return this.passes.usable;
  }

  async close(): Promise<void> {
    await this.passes.close();
  }

  private embedBatch(batch: Int32Array[]): Promise<Float32Array[]> {
    const rows = batch.length;
    const sequenceLength = Math.max(...batch.map((ids) => ids.length));
    const inputIds = new BigInt64Array(rows * sequenceLength);
    const attentionMask = new BigInt64Array(rows * sequenceLength);
    batch.forEach((ids, row) => {
      const offset = row * sequenceLength;
      for (let position = 0; position < ids.length; position++) {
        inputIds[offset + position] = BigInt(ids[position]);
        attentionMask[offset + position] = 1n;
      }
    });
    return this.passes.run({ inputIds, attentionMask, shape: [rows, sequenceLength] }, (states) =>
      batch.map((ids, row) =>
        meanPoolAndNormalize(
          states,
          row * sequenceLength * this.dimensions,
          ids.length,
          this.dimensions,
        ),
      ),
    );
  }
}

/**
 * Mean of the first `tokenCount` token states of one row (the unmasked ones: padding is always at
 * the end), scaled to unit length so that cosine similarity is a dot product.
 */
function meanPoolAndNormalize(
  states: Float32Array,
  rowOffset: number,
  tokenCount: number,
  hiddenSize: number,
): Float32Array {
  const sum = new Float64Array(hiddenSize);
  for (let token = 0; token < tokenCount; token++) {
    const tokenOffset = rowOffset + token * hiddenSize;
    for (let dimension = 0; dimension < hiddenSize; dimension++) {
      sum[dimension] += states[tokenOffset + dimension];
    }
  }
  let squaredNorm = 0;
  for (let dimension = 0; dimension < hiddenSize; dimension++) {
    squaredNorm += sum[dimension] * sum[dimension];
  }
  // Dividing by the token count cancels out in the normalisation, so only the norm is needed.
  const scale = 1 / Math.max(Math.sqrt(squaredNorm), 1e-12 * tokenCount);
  const vector = new Float32Array(hiddenSize);
  for (let dimension = 0; dimension < hiddenSize; dimension++) {
    vector[dimension] = sum[dimension] * scale;
  }
  return vector;
}

function readJsonIfPresent<T extends object>(path: string): Partial<T> {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<T>) : {};
}
