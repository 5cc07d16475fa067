/**
 * Runs the NLP extractor over a corpus of `{title, text}` passages and prints its speed, how much it
 * finds, the most-connected entities and, with --show N, what it found in N passages.
 *
 *   npx tsx scripts/extraction-sample.ts [--corpus ../shared/datasets/musique-100/corpus.json] [--show 12]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NlpKnowledgeExtractor } from '../src/extraction';
import type { ChunkForExtraction, ExtractionResult } from '../src/extraction';

interface Passage {
  title: string;
  text: string;
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

function printPassage(chunk: ChunkForExtraction, result: ExtractionResult): void {
  console.log(`\n=== ${chunk.title ?? ''} ===\n${chunk.text}`);
  const entities = result.entities.filter((entity) =>
    entity.mentions.some((mention) => mention.chunkId === chunk.id),
  );
  console.log(
    'entities:',
    entities
      .map(
        (entity) =>
          `${entity.name} [${entity.type}]${entity.aliases.length > 0 ? ` aka ${entity.aliases.join('|')}` : ''}`,
      )
      .join('; '),
  );
  for (const relation of result.relations.filter((candidate) => candidate.chunkId === chunk.id)) {
    console.log(
      `  ${relation.sourceKey} -[${relation.predicate} ${relation.weight}]-> ${relation.targetKey}`,
    );
  }
}

function main(): void {
  const corpusPath = resolve(
    argument('corpus', resolve(__dirname, '../../shared/datasets/musique-100/corpus.json')),
  );
  const show = Number(argument('show', '0'));
  const passages = JSON.parse(readFileSync(corpusPath, 'utf8')) as Passage[];
  const chunks: ChunkForExtraction[] = passages.map((passage, index) => ({
    id: `p${index}`,
    title: passage.title,
    text: passage.text,
  }));
  const characters = chunks.reduce((sum, chunk) => sum + chunk.text.length, 0);

  const extractor = new NlpKnowledgeExtractor();
  const loadStarted = performance.now();
  extractor.extractSync(chunks.slice(0, 1)); // loads wink-nlp and compromise's lexicon
  const loadMs = performance.now() - loadStarted;

  // CPU time as well as wall time: on a shared machine the wall clock also counts other processes.
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = extractor.extractSync(chunks);
  const cpu = process.cpuUsage(cpuStarted);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  const mentionCount = result.entities.reduce((sum, entity) => sum + entity.mentions.length, 0);
  console.log(`corpus: ${corpusPath}`);
  console.log(
    `passages: ${chunks.length}, characters: ${characters}, first-call load: ${loadMs.toFixed(0)} ms`,
  );
  console.log(
    `extraction: wall ${seconds.toFixed(2)} s (${(chunks.length / seconds).toFixed(0)} passages/s), CPU ${cpuSeconds.toFixed(2)} s (${(chunks.length / cpuSeconds).toFixed(0)} passages/s, ${(characters / 1024 / cpuSeconds).toFixed(0)} KiB/s)`,
  );
  console.log(
    `entities: ${result.entities.length} distinct, ${(mentionCount / chunks.length).toFixed(1)} mentions/passage; relations: ${result.relations.length}, ${(result.relations.length / chunks.length).toFixed(1)}/passage`,
  );
  const typeCounts = new Map<string, number>();
  for (const entity of result.entities)
    typeCounts.set(entity.type, (typeCounts.get(entity.type) ?? 0) + 1);
  console.log(
    'entity types:',
    [...typeCounts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([type, count]) => `${type} ${count}`)
      .join(', '),
  );
  const predicateCounts = new Map<string, number>();
  for (const relation of result.relations)
    predicateCounts.set(relation.predicate, (predicateCounts.get(relation.predicate) ?? 0) + 1);
  console.log(
    'top predicates:',
    [...predicateCounts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([predicate, count]) => `${predicate} ${count}`)
      .join(', '),
  );

  const degree = new Map<string, Set<string>>();
  for (const relation of result.relations) {
    degree.set(
      relation.sourceKey,
      (degree.get(relation.sourceKey) ?? new Set()).add(relation.targetKey),
    );
    degree.set(
      relation.targetKey,
      (degree.get(relation.targetKey) ?? new Set()).add(relation.sourceKey),
    );
  }
  const byKey = new Map(result.entities.map((entity) => [entity.key, entity]));
  console.log('\n30 most-connected entities (distinct neighbours, passages mentioning):');
  for (const [key, neighbours] of [...degree.entries()]
    .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
    .slice(0, 30)) {
    const entity = byKey.get(key);
    const passagesMentioning = new Set(entity?.mentions.map((mention) => mention.chunkId)).size;
    console.log(
      `  ${String(neighbours.size).padStart(4)}  ${entity?.name ?? key} [${entity?.type ?? '?'}] in ${passagesMentioning} passages`,
    );
  }

  const step = show > 0 ? Math.max(1, Math.floor(chunks.length / show)) : 0;
  for (let shown = 0; shown < show; shown += 1) printPassage(chunks[shown * step], result);
}

main();
