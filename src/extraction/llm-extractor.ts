import { z } from 'zod';
import { EntityResolver, dedupeRelations } from './entity-resolver';
import { entityKey } from './normalize';
import {
  ENTITY_TYPES,
  type ChunkForExtraction,
  type EntityMention,
  type EntityType,
  type ExtractedEntity,
  type ExtractedRelation,
  type ExtractionResult,
  type KnowledgeExtractor,
} from './types';
import { fetchAttributes, inClientSpan } from '../observability/spans';

export interface OpenAiCompatibleExtractorOptions {
  /** e.g. "http://127.0.0.1:8000/v1" or "https://api.openai.com/v1" (with or without the /v1). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Per request. Default 60 s. */
  timeoutMs?: number;
  temperature?: number;
}

export class LlmExtractionError extends Error {
  constructor(
    message: string,
    readonly chunkId: string,
  ) {
    super(message);
    this.name = 'LlmExtractionError';
  }
}

const llmAnswerSchema = z.object({
  entities: z.array(
    z.object({
      name: z.string().min(1),
      type: z.string().optional(),
      aliases: z.array(z.string()).optional(),
    }),
  ),
  relations: z
    .array(
      z.object({
        source: z.string().min(1),
        target: z.string().min(1),
        predicate: z.string().optional(),
        evidence: z.string().optional(),
      }),
    )
    .optional(),
});
type LlmAnswer = z.infer<typeof llmAnswerSchema>;

const chatCompletionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

const SYSTEM_PROMPT = `You extract a knowledge graph from one passage of text.
Return only a JSON object, no prose, of this shape:
{"entities":[{"name":string,"type":"person"|"organization"|"place"|"work"|"event"|"date"|"concept"|"other","aliases":string[]}],
 "relations":[{"source":string,"target":string,"predicate":string,"evidence":string}]}
Rules:
- An entity's "name" is copied exactly as it is written in the passage; "aliases" are other names the passage gives it (abbreviations, "also known as").
- The passage title, when given, is the entity the passage is about: include it.
- Never output pronouns as entities. Dates only with type "date".
- "source" and "target" are entity names from your list; "predicate" is a short lower-case verb phrase ("directed", "born in", "located in"); "evidence" is the sentence of the passage that states the relation, copied exactly.`;

function userPrompt(chunk: ChunkForExtraction): string {
  return `${chunk.title === undefined ? '' : `Title: ${chunk.title}\n`}Passage:\n${chunk.text}`;
}

function toEntityType(type: string | undefined): EntityType {
  const lower = (type ?? '').toLowerCase() as EntityType;
  return ENTITY_TYPES.includes(lower) ? lower : 'other';
}

/** Every place `surface` occurs in the text, case-insensitively when that keeps offsets exact. */
function findMentions(chunk: ChunkForExtraction, surface: string): EntityMention[] {
  const needle = surface.trim();
  if (needle.length === 0) return [];
  const lowerText = chunk.text.toLowerCase();
  const caseless =
    lowerText.length === chunk.text.length && needle.toLowerCase().length === needle.length;
  const haystack = caseless ? lowerText : chunk.text;
  const target = caseless ? needle.toLowerCase() : needle;
  const mentions: EntityMention[] = [];
  for (
    let at = haystack.indexOf(target);
    at >= 0;
    at = haystack.indexOf(target, at + target.length)
  ) {
    const end = at + target.length;
    mentions.push({ chunkId: chunk.id, start: at, end, surface: chunk.text.slice(at, end) });
  }
  return mentions;
}

/** The sentence of the chunk containing both names, when the model gave no usable evidence. */
function sentenceWith(text: string, first: string, second: string): string | undefined {
  return text
    .split(/(?<=[.!?])\s+/)
    .find(
      (sentence) =>
        sentence.toLowerCase().includes(first.toLowerCase()) &&
        sentence.toLowerCase().includes(second.toLowerCase()),
    );
}

/**
 * Extraction by a language model behind any OpenAI-compatible `/v1/chat/completions` endpoint
 * (OpenAI, vLLM, llama.cpp server, Ollama). One request per chunk; the answer is validated and
 * mapped to the same types as the NLP extractor, with offsets found by searching the chunk.
 */
export class OpenAiCompatibleExtractor implements KnowledgeExtractor {
  readonly name = 'llm';
  private readonly endpoint: string;

  constructor(private readonly options: OpenAiCompatibleExtractorOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.endpoint = `${base.endsWith('/v1') ? base : `${base}/v1`}/chat/completions`;
  }

  async extract(chunks: ChunkForExtraction[]): Promise<ExtractionResult> {
    const perChunk: ExtractionResult[] = [];
    // Sequential on purpose: a local model serves one request at a time, and a remote one rate-limits.
    for (const chunk of chunks) perChunk.push(this.mapAnswer(chunk, await this.ask(chunk)));
    return new EntityResolver().resolveResult({
      entities: perChunk.flatMap((result) => result.entities),
      relations: dedupeRelations(perChunk.flatMap((result) => result.relations)),
    });
  }

  private async ask(chunk: ChunkForExtraction): Promise<LlmAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey !== undefined) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await inClientSpan('llm POST', fetchAttributes('POST', this.endpoint), () =>
        fetch(this.endpoint, {
          method: 'POST',
          headers,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
          body: JSON.stringify({
            model: this.options.model,
            temperature: this.options.temperature ?? 0,
            response_format: { type: 'json_object' },
            messages: [
              { role: 'system', content: SYSTEM_PROMPT },
              { role: 'user', content: userPrompt(chunk) },
            ],
          }),
        }),
      );
    } catch (error) {
      throw new LlmExtractionError(
        `LLM endpoint ${this.endpoint} unreachable: ${String(error)}`,
        chunk.id,
      );
    }
    const body = await response.text();
    if (!response.ok) {
      throw new LlmExtractionError(
        `LLM endpoint answered HTTP ${response.status}: ${body.slice(0, 300)}`,
        chunk.id,
      );
    }
    const completion = chatCompletionSchema.safeParse(safeJson(body));
    if (!completion.success) {
      throw new LlmExtractionError(
        `LLM endpoint answered something that is not a chat completion: ${body.slice(0, 300)}`,
        chunk.id,
      );
    }
    const content = completion.data.choices[0].message.content ?? '';
    const answer = llmAnswerSchema.safeParse(safeJson(stripCodeFence(content)));
    if (!answer.success) {
      throw new LlmExtractionError(
        `LLM answer for chunk ${chunk.id} is not the expected JSON (${answer.error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`).join('; ')}): ${content.slice(0, 300)}`,
        chunk.id,
      );
    }
    return answer.data;
  }

  private mapAnswer(chunk: ChunkForExtraction, answer: LlmAnswer): ExtractionResult {
    const keyByName = new Map<string, string>();
    const entities: ExtractedEntity[] = [];
    for (const entity of answer.entities) {
      const key = entityKey(entity.name);
      if (key === '') continue;
      const aliases = (entity.aliases ?? []).filter(
        (alias) => alias.trim().length > 0 && alias !== entity.name,
      );
      for (const surface of [entity.name, ...aliases]) keyByName.set(entityKey(surface), key);
      const mentions = [entity.name, ...aliases].flatMap((surface) => findMentions(chunk, surface));
      entities.push({
        key,
        name: entity.name,
        type: toEntityType(entity.type),
        aliases,
        // Like the title in the NLP extractor: named by the model but not found verbatim.
        mentions:
          mentions.length > 0 ? mentions : [{ chunkId: chunk.id, start: 0, end: 0, surface: '' }],
      });
    }
    const relations: ExtractedRelation[] = [];
    for (const relation of answer.relations ?? []) {
      const sourceKey = keyByName.get(entityKey(relation.source));
      const targetKey = keyByName.get(entityKey(relation.target));
      if (sourceKey === undefined || targetKey === undefined || sourceKey === targetKey) continue;
      const statedEvidence =
        relation.evidence !== undefined && chunk.text.includes(relation.evidence)
          ? relation.evidence
          : undefined;
      relations.push({
        sourceKey,
        targetKey,
        predicate: (relation.predicate ?? '').trim().toLowerCase() || 'related_to',
        chunkId: chunk.id,
        evidence:
          statedEvidence ??
          sentenceWith(chunk.text, relation.source, relation.target) ??
          relation.evidence ??
          '',
        weight: 1,
      });
    }
    return { entities, relations };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Some models wrap JSON in a ```json fence even when asked not to. */
function stripCodeFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(content);
  return fenced === null ? content : fenced[1];
}
