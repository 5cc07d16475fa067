import { Worker } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** One forward pass: token ids and mask of a padded batch, shape [rows, sequence length]. */
export interface ForwardInput {
  inputIds: BigInt64Array<ArrayBuffer>;
  attentionMask: BigInt64Array<ArrayBuffer>;
  shape: [number, number];
}

/**
 * Runs forward passes of the model and hands each pass's token states ([rows, sequence length,
 * dimensions], row-major) to `consume`, which must be done with them when it returns.
 */
export interface ForwardPasses {
  readonly inputNames: readonly string[];
  /** False once closed, or once a thread died. */
  readonly usable: boolean;
  run<T>(input: ForwardInput, consume: (states: Float32Array) => T): Promise<T>;
  close(): Promise<void>;
}

export type SessionSettings = InferenceSession.SessionOptions;

const tensors = (input: ForwardInput) => ({
  input_ids: new Tensor('int64', input.inputIds, input.shape),
  attention_mask: new Tensor('int64', input.attentionMask, input.shape),
  // A single sequence per input: every token is segment 0.
  token_type_ids: new Tensor('int64', new BigInt64Array(input.inputIds.length), input.shape),
});

/**
 * One session on the calling thread. onnxruntime-node runs a pass synchronously, so the thread
 * waits for it; its operators may use several threads. Passes run one at a time.
 */
export class SessionOnThisThread implements ForwardPasses {
  readonly inputNames: readonly string[];
  private readonly outputName: string;
  private states = new Float32Array(0);
  private previous: Promise<unknown> = Promise.resolve();
  private released = false;

  get usable(): boolean {
    return !this.released;
  }

  private constructor(
    private readonly session: InferenceSession,
    private readonly dimensions: number,
  ) {
    this.outputName = session.outputNames[0];
    this.inputNames = session.inputNames;
  }

  static async open(
    modelPath: string,
    settings: SessionSettings,
    dimensions: number,
  ): Promise<SessionOnThisThread> {
    return new SessionOnThisThread(await InferenceSession.create(modelPath, settings), dimensions);
  }

  run<T>(input: ForwardInput, consume: (states: Float32Array) => T): Promise<T> {
    const result = this.previous.then(async () => {
      const length = input.inputIds.length * this.dimensions;
      // Reused across passes; the binding fills it in place (which also keeps tensors in this
      // realm, so the embedder runs under jest's sandbox too).
      if (this.states.length < length) this.states = new Float32Array(length);
      const states = this.states.subarray(0, length);
      await this.session.run(tensors(input), {
        [this.outputName]: new Tensor('float32', states, [...input.shape, this.dimensions]),
      });
      return consume(states);
    });
    this.previous = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.released = true;
    await this.session.release();
  }
}

// The thread's whole program: one session, one pass per message, states sent back by transfer.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { InferenceSession, Tensor } = require(workerData.runtime);
InferenceSession.create(workerData.modelPath, workerData.settings).then((session) => {
  const outputName = session.outputNames[0];
  parentPort.postMessage({ ready: true, inputNames: session.inputNames });
  parentPort.on('message', ({ id, inputIds, attentionMask, shape }) => {
    const states = new Float32Array(inputIds.length * workerData.dimensions);
    session
      .run(
        {
          input_ids: new Tensor('int64', inputIds, shape),
          attention_mask: new Tensor('int64', attentionMask, shape),
          token_type_ids: new Tensor('int64', new BigInt64Array(inputIds.length), shape),
        },
        { [outputName]: new Tensor('float32', states, [...shape, workerData.dimensions]) },
      )
      .then(
        () => parentPort.postMessage({ id, states }, [states.buffer]),
        (error) => parentPort.postMessage({ id, error: String(error && error.message || error) }),
      );
  });
}, (error) => parentPort.postMessage({ failed: String(error && error.message || error) }));
`;

interface PendingPass {
  id: number;
  input: ForwardInput;
  resolve: (states: Float32Array) => void;
  reject: (error: Error) => void;
}

interface SessionThread {
  worker: Worker;
  busy: PendingPass | null;
}

/**
 * Several sessions, each on its own thread with one operator thread, each running one pass at a
 * time. On two cores two such sessions embed the corpus in ~25% less time and ~10% less CPU than
 * one session with two operator threads (`npm run bench:embed -- --sweep`), and the calling
 * thread stays free for other work (parsing, extraction, I/O) while passes run.
 */
export class SessionThreads implements ForwardPasses {
  private readonly queue: PendingPass[] = [];
  private nextId = 0;
  private closed = false;

  get usable(): boolean {
    return !this.closed;
  }

  private constructor(
    private readonly threads: SessionThread[],
    readonly inputNames: readonly string[],
  ) {
    for (const thread of threads) {
      thread.worker.on(
        'message',
        (message: { id: number; states?: Float32Array; error?: string }) =>
          this.settle(thread, message),
      );
      thread.worker.on('error', (error) => this.fail(thread, error));
      thread.worker.on('exit', (code) => {
        if (!this.closed) this.fail(thread, new Error(`an embedding thread exited (${code})`));
      });
    }
  }

  static async open(
    modelPath: string,
    settings: SessionSettings,
    dimensions: number,
    count: number,
  ): Promise<SessionThreads> {
    const runtime = require.resolve('onnxruntime-node');
    const workers = Array.from(
      { length: count },
      () =>
        new Worker(THREAD_SOURCE, {
          eval: true,
          workerData: { runtime, modelPath, settings, dimensions },
        }),
    );
    try {
      const ready = await Promise.all(workers.map((worker) => firstReply(worker)));
      return new SessionThreads(
        workers.map((worker) => ({ worker, busy: null })),
        ready[0].inputNames,
      );
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
  }

  async run<T>(input: ForwardInput, consume: (states: Float32Array) => T): Promise<T> {
    if (this.closed) throw new Error('the embedding threads are closed');
    const states = await new Promise<Float32Array>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
    return consume(states);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.reject(new Error('the embedding threads are closed'));
    }
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (thread.busy || this.queue.length === 0) continue;
      const pending = this.queue.shift()!;
      thread.busy = pending;
      const { inputIds, attentionMask, shape } = pending.input;
      thread.worker.postMessage({ id: pending.id, inputIds, attentionMask, shape }, [
        inputIds.buffer,
        attentionMask.buffer,
      ]);
    }
  }

  private settle(
    thread: SessionThread,
    message: { id: number; states?: Float32Array; error?: string },
  ): void {
    const pending = thread.busy;
    if (!pending || pending.id !== message.id) return;
    thread.busy = null;
    if (message.states) pending.resolve(message.states);
    else pending.reject(new Error(`embedding failed: ${message.error ?? 'no output'}`));
    this.dispatch();
  }

  /** A dead thread fails its pass and every pass still queued: the pool is no longer whole. */
  private fail(thread: SessionThread, error: Error): void {
    thread.busy?.reject(error);
    thread.busy = null;
    for (const pending of this.queue.splice(0)) pending.reject(error);
    this.closed = true;
  }
}

function firstReply(worker: Worker): Promise<{ inputNames: readonly string[] }> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once(
      'message',
      (message: { ready?: boolean; inputNames: string[]; failed?: string }) => {
        if (message.ready) resolve(message);
        else reject(new Error(`the embedding model did not load: ${message.failed}`));
      },
    );
  });
}
