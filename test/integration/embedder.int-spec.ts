import { deserialize, serialize } from 'node:v8';
import type { Embedder } from '../../src/embedding/embedder';

/** The model `npm test` installed (infra/env.sh). */
const modelDir = process.env.CAIRN_EMBEDDING_MODEL_DIR;

// Needs the installed model: `bash infra/install-model.sh` (the error names the folder if missing).

/*
 * jest runs tests in a separate realm whose Float32Array is not the one the native onnxruntime
 * binding creates, so onnxruntime-common's `instanceof` check rejects the model's output. Node's own
 * v8.deserialize builds typed arrays in the main realm: install those constructors before
 * onnxruntime is loaded (hence the dynamic import below).
 */
for (const sample of [new Float32Array(0), new BigInt64Array(0)]) {
  const mainRealmConstructor = (deserialize(serialize(sample)) as object).constructor;
  Object.assign(globalThis, { [sample.constructor.name]: mainRealmConstructor });
}

/*
 * Reference vector of "A man is eating food." from Python, on the same int8 model file:
 * onnxruntime 1.31.1 (1 thread) on `tokenizers` ids (truncation 256), last_hidden_state averaged
 * over the tokens and L2-normalised, rounded to 5 decimals.
 */
const referenceVector = [
  0.03095, 0.00667, -0.00437, 0.04751, -0.13992, -0.03591, 0.10226, -0.05563, -0.04433, -0.04068,
  0.00813, -0.01078, -0.06835, -0.01745, 0.04774, -0.05782, 0.10366, -0.00142, 0.08517, -0.04849,
  0.06742, 0.03981, -0.03649, -0.10248, -0.00592, -0.05311, 0.09898, -0.05101, -0.02422, 0.01633,
  0.07342, -0.05979, 0.06335, 0.01702, -0.05315, -0.04091, 0.03133, -0.07915, -0.03426, -0.00024,
  -0.0042, -0.01571, 0.00072, 0.09692, -0.05445, 0.01734, -0.10769, 0.01278, 0.03807, -0.02748,
  -0.09069, -0.01163, 0.03676, -0.02871, 0.0629, 0.01169, 0.02183, 0.0909, -0.10519, -0.02038,
  0.02957, -0.05706, 0.02957, -0.02339, 0.05015, -0.06652, -0.02113, -0.01089, -0.02389, 0.00885,
  0.02488, -0.02167, 0.02002, -0.06651, 0.02005, -0.05754, -0.03071, -0.03922, -0.04542, 0.02038,
  -0.02254, 0.07491, 0.00487, -0.04827, -0.03246, -0.02046, -0.0659, 0.03461, 0.00359, 0.10621,
  0.04, -0.02843, 0.04309, -0.00506, -0.00392, 0.0055, 0.0058, -0.11138, -0.04397, 0.01438,
  -0.00486, -0.05796, -0.07441, 0.04725, 0.07233, 0.06523, -0.01529, 0.09542, 0.011, 0.02417,
  0.02049, 0.09756, -0.03777, -0.05958, -0.01855, -0.04372, 0.02889, -0.08817, 0.05636, 0.01452,
  -0.03671, -0.02652, -0.06057, 0.04177, 0.02307, 0.02358, 0.03586, 0, -0.06275, -0.03778, 0.0459,
  -0.01357, -0.01564, 0.03556, 0.01935, 0.03981, 0.03889, -0.03077, 0.05022, -0.07852, -0.02535,
  0.11035, -0.00098, -0.03919, 0.01788, 0.07328, 0.02418, -0.00709, -0.01989, -0.07577, 0.09729,
  -0.02768, 0.04045, 0.0268, -0.07384, -0.03351, 0.02877, -0.02288, -0.03054, 0.01069, -0.02689,
  0.02849, 0.00275, -0.05676, -0.02284, 0.06928, -0.1183, -0.04804, 0.04558, 0.01768, 0.00579,
  0.01328, -0.04075, -0.0064, 0.05193, 0.03982, 0.02677, -0.02885, 0.07424, -0.11149, 0.03963,
  -0.0776, -0.036, -0.05035, 0.07979, -0.04689, 0.02452, 0.00216, 0.03881, 0.01756, 0.02837,
  0.02406, -0.00202, -0.02927, -0.0179, -0.08106, -0.04076, 0.05083, -0.00057, -0.03209, 0.01935,
  -0.05264, 0.04639, -0.03987, -0.06471, -0.04037, -0.0525, 0.06057, 0.01702, 0.00337, 0.06177,
  -0.03714, -0.11827, 0.16112, -0.0466, -0.02416, 0.18776, 0.04041, -0.03488, -0.00474, -0.0045,
  0.07179, -0.02219, 0, -0.04756, 0.03288, -0.01602, 0.02519, 0.03251, -0.06205, -0.05281, 0.08217,
  0.00904, -0.10774, 0.04284, 0.09717, 0.1039, 0.02426, -0.00279, 0.10313, -0.01738, -0.00152,
  -0.00617, 0.0277, -0.01419, -0.00247, -0.02555, -0.05098, -0.06205, 0.05184, 0.04743, 0.07587,
  -0.04271, -0.04223, 0.02581, 0.03284, 0.06091, -0.11047, 0.04653, 0.02896, -0.0303, -0.01057,
  -0.02387, 0.04957, 0.03783, 0.04625, 0.03246, 0.01758, -0.00976, -0.06179, 0.04873, -0.05826,
  -0.01215, 0.01825, 0.04707, -0.02419, -0.00769, -0.06839, 0.04759, 0.11027, -0.07935, 0.08682,
  -0.00432, -0.04042, -0.06323, 0.00925, 0.06728, 0.03924, 0.00786, 0.02389, 0.05632, -0.03438,
  0.02808, -0.00808, -0.03333, -0.02354, 0.06118, 0.00114, 0.01587, 0.00088, -0.02224, 0.02698,
  0.0245, -0.02932, -0.00306, -0.04631, 0.0204, -0.00129, -0.05449, 0.00459, -0.04892, -0.00932,
  0.01125, 0.05643, -0.0116, -0.079, 0.0372, 0.04739, 0.08614, 0, 0.06854, -0.11016, -0.07586,
  0.01926, 0.04858, -0.04103, -0.05933, -0.11157, 0.11272, 0.0229, -0.09351, 0.03636, -0.01469,
  -0.02526, -0.00059, -0.07727, 0.03198, -0.00209, -0.03085, 0.01025, -0.00351, -0.00859, -0.03456,
  -0.03546, 0.10019, 0.0193, -0.03553, 0.06867, 0.05147, 0.00388, 0.05353, 0.05552, -0.01627,
  0.04474, 0.08384, -0.00502, -0.03022, 0.02102, 0.02714, -0.09246, -0.00994, -0.01365, 0.04244,
  -0.00273, -0.08459, 0.1081, 0.01759, 0.05566, 0.01576, -0.00146, -0.03738, 0.05762, 0.00251,
  -0.04884, 0.02458, -0.02772, 0.05524, 0.00554, 0.05198, -0.05802, 0.02107, 0.06812, -0.02442,
  -0.0384,
];

function dot(a: Float32Array | number[], b: Float32Array | number[]): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index] * b[index];
  return sum;
}

function cosine(a: Float32Array | number[], b: Float32Array | number[]): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

describe('Embedder (all-MiniLM-L6-v2 int8 on onnxruntime-node)', () => {
  let EmbedderClass: typeof Embedder;
  let embedder: Embedder;

  beforeAll(async () => {
    ({ Embedder: EmbedderClass } = await import('../../src/embedding/embedder'));
    embedder = await EmbedderClass.load({ modelDir, batchSize: 4 });
  }, 60_000);

  afterAll(async () => {
    await embedder?.close();
  });

  it('describes itself', () => {
    expect(embedder.dimensions).toBe(384);
    expect(embedder.maxSequenceLength).toBe(256);
    expect(embedder.modelId).toContain('all-MiniLM-L6-v2');
  });

  it('returns one 384-d unit vector per text, in order', async () => {
    const vectors = await embedder.embed([
      'first text',
      '',
      'a third, longer text than the others',
    ]);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(384);
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
    }
  });

  it('returns nothing for no texts', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it('gives the same vector for the same text', async () => {
    const [first, second] = await embedder.embed(['Durable workflows', 'Durable workflows']);
    const again = await embedder.embedOne('Durable workflows');
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('places sentences by meaning', async () => {
    const [eating, bread, baby] = await embedder.embed([
      'A man is eating food.',
      'A man is eating a piece of bread.',
      'The girl is carrying a baby.',
    ]);
    expect(cosine(eating, bread)).toBeGreaterThan(cosine(eating, baby));
    expect(cosine(eating, bread)).toBeGreaterThan(0.6);
  });

  it('gives the same vectors in a padded batch as one by one', async () => {
    const texts = [
      'Short.',
      'A somewhat longer sentence about graph traversal in a knowledge base.',
      'Temporal retries activities that failed; Weaviate stores the chunk vectors.',
      'x',
      'Neo4j holds entities and relations, each with the chunk that evidences it, per workspace.',
      'Mean pooling must ignore the padding tokens of shorter texts in the same batch.',
    ];
    const batched = await embedder.embed(texts);
    for (const [index, text] of texts.entries()) {
      const single = await embedder.embedOne(text);
      for (let dimension = 0; dimension < 384; dimension++) {
        expect(Math.abs(batched[index][dimension] - single[dimension])).toBeLessThan(1e-4);
      }
    }
  });

  it('truncates texts longer than 256 tokens instead of failing', async () => {
    const long = 'knowledge graph '.repeat(400);
    expect(embedder.countTokens(long)).toBe(256);
    const [vector] = await embedder.embed([long]);
    expect(vector).toHaveLength(384);
  });

  it('matches Python onnxruntime on the same model', async () => {
    const vector = await embedder.embedOne('A man is eating food.');
    expect(cosine(vector, referenceVector)).toBeGreaterThan(0.999);
  });

  it('names the folder and the install script when the model is missing', async () => {
    await expect(EmbedderClass.load({ modelDir: '/nonexistent/cairn-model' })).rejects.toThrow(
      /\/nonexistent\/cairn-model.*bash infra\/install-model\.sh/,
    );
  });
});

describe('Embedder with forward passes side by side on threads (as the ai worker runs it)', () => {
  let EmbedderClass: typeof Embedder;
  let threaded: Embedder;
  let onThisThread: Embedder;

  beforeAll(async () => {
    ({ Embedder: EmbedderClass } = await import('../../src/embedding/embedder'));
    threaded = await EmbedderClass.load({ modelDir, batchSize: 2, parallelPasses: 2 });
    onThisThread = await EmbedderClass.load({ modelDir, batchSize: 2 });
  }, 60_000);

  afterAll(async () => {
    await threaded?.close();
    await onThisThread?.close();
  });

  it('gives the vectors of a session on this thread, in order, however the passes interleave', async () => {
    const texts = Array.from(
      { length: 25 },
      (_, index) => `Passage ${index}: ${'a graph of entities and relations '.repeat(index % 7)}`,
    );
    // Two calls at once: their passes share the threads.
    const [first, second] = await Promise.all([
      threaded.embed(texts),
      threaded.embed([...texts].reverse()),
    ]);
    const expected = await onThisThread.embed(texts);
    expect(first).toHaveLength(texts.length);
    for (const [index, vector] of first.entries()) {
      expect(cosine(vector, expected[index])).toBeGreaterThan(0.9999);
      expect(Array.from(second[texts.length - 1 - index])).toEqual(Array.from(vector));
    }
    expect(
      cosine(await threaded.embedOne('A man is eating food.'), referenceVector),
    ).toBeGreaterThan(0.999);
  });

  it('refuses work once closed, and says it is no longer usable', async () => {
    const spare = await EmbedderClass.load({ modelDir, parallelPasses: 1 });
    expect(spare.usable).toBe(true);
    await spare.close();
    expect(spare.usable).toBe(false);
    await expect(spare.embed(['too late'])).rejects.toThrow('closed');
  });
});
