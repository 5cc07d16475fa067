import { Embedder, type EmbedderOptions } from '../../src/embedding/embedder';

export interface EmbeddingTiming {
  seconds: number;
  cpuSeconds: number;
  tokens: number;
}

/** Loads the model, warms it up, then times embedding every text once (wall and CPU time). */
export async function timeEmbedding(
  texts: string[],
  options: EmbedderOptions = {},
): Promise<EmbeddingTiming> {
  const embedder = await Embedder.load({
    modelDir: process.env.CAIRN_EMBEDDING_MODEL_DIR,
    ...options,
  });
  try {
    const tokens = texts.reduce((total, text) => total + embedder.countTokens(text), 0);
    await embedder.embed(texts.slice(0, embedder.batchSize)); // the first run allocates the arena
    const startedCpu = process.cpuUsage();
    const started = performance.now();
    const vectors = await embedder.embed(texts);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(startedCpu);
    if (vectors.length !== texts.length) throw new Error('missing vectors');
    return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, tokens };
  } finally {
    await embedder.close();
  }
}
