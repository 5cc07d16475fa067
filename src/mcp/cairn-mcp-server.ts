import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type CairnClient, CairnApiError, unwrap } from '../../client';
import { followDocument, FollowTimeout } from '../../client/follow';

/**
 * Cairn's MCP tools and resources, defined once for both transports: `cairn mcp` (stdio, with the
 * CLI's profile) and POST /mcp on the API (Streamable HTTP, with the caller's credentials). Every
 * tool acts through the typed API client, so roles, workspace scoping, validation, rate limits and
 * the audit log are exactly those of the HTTP API, and an API error becomes a tool error the agent
 * can read (its message, HTTP status and request id).
 */

export const MCP_SERVER_NAME = 'cairn';
export const MCP_SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = [
  "Cairn is a knowledge base: documents split into passages, indexed as vectors and keywords, and a knowledge graph of the entities and relations they mention. Everything acts in one workspace (the credentials' one).",
  'To answer a question, call `search` first; cite hits by their title and documentId. Use `find_entities` and `entity_neighborhood` to explore how people, places and organisations are connected, and `get_document` or the resource cairn://documents/{id} to read a whole document.',
  'To add knowledge, call `add_text_document` (wait: true returns once it is searchable), or follow it with `document_status`.',
].join('\n');

const documentId = z
  .string()
  .uuid()
  .describe('A document id (UUID), as returned by search, list_documents or add_text_document.');

/** A tool's answer: the value as pretty JSON text, which every MCP client can show to a model. */
const ok = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});

const failure = (message: string): CallToolResult => ({
  content: [{ type: 'text', text: message }],
  isError: true,
});

/** Runs a tool body; API and network errors become tool errors instead of protocol errors. */
async function tool(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CairnApiError) {
      const id = error.requestId ? `, request ${error.requestId}` : '';
      return failure(`Cairn API error ${error.status}: ${error.message}${id}`);
    }
    return failure(error instanceof Error ? error.message : String(error));
  }
}

interface Chunk {
  ord: number;
  text: string;
  start: number;
  end: number;
  page?: number | null;
  locator?: string | null;
}

/**
 * The extracted text of an indexed document, put back together from its chunks by their offsets
 * (chunks may overlap; a gap between two becomes a line break).
 */
export function textFromChunks(chunks: Chunk[]): string {
  let text = '';
  let cursor = 0;
  for (const chunk of [...chunks].sort((a, b) => a.start - b.start)) {
    if (chunk.end <= cursor) continue;
    if (chunk.start > cursor && text !== '') text += '\n';
    text += chunk.start >= cursor ? chunk.text : chunk.text.slice(cursor - chunk.start);
    cursor = chunk.end;
  }
  return text;
}

async function documentText(client: CairnClient, id: string): Promise<string> {
  const { chunks } = unwrap(
    await client.GET('/documents/{id}/chunks', { params: { path: { id } } }),
  );
  return textFromChunks(chunks);
}

interface ToolConfig<Shape extends z.ZodRawShape> {
  title: string;
  description: string;
  inputSchema: Shape;
  annotations: ToolAnnotations;
}

/**
 * registerTool with the arguments typed from the zod shape by zod itself: the SDK's own generic
 * inference (over zod 3 and 4 at once) exceeds TypeScript's instantiation depth for these shapes.
 */
function addTool<Shape extends z.ZodRawShape>(
  server: McpServer,
  name: string,
  config: ToolConfig<Shape>,
  run: (args: z.infer<z.ZodObject<Shape>>) => Promise<CallToolResult>,
): void {
  const register = server.registerTool.bind(server) as unknown as (
    name: string,
    config: ToolConfig<Shape>,
    callback: (args: z.infer<z.ZodObject<Shape>>) => Promise<CallToolResult>,
  ) => void;
  register(name, config, run);
}

/** A new MCP server whose tools and resources act through `client`. */
export function createCairnMcpServer(client: CairnClient): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } },
  );

  addTool(
    server,
    'search',
    {
      title: 'Search the knowledge base',
      description:
        'Finds the passages that best answer a question or match keywords, combining meaning (vectors), keywords (BM25) and the knowledge graph. Returns ranked hits, each with its passage text, document title and id, page, locator (where in the source: page, slide, sheet and rows, chapter), score and score parts (vector, keyword, graph), the entities it names and up to three relation paths from the query entities ("A —born in→ B").',
      inputSchema: {
        query: z
          .string()
          .min(1)
          .max(2000)
          .describe('The question or keywords, in natural language.'),
        mode: z
          .enum(['auto', 'hybrid', 'vector', 'keyword', 'graph'])
          .default('auto')
          .describe(
            'auto (default) combines every signal and walks the graph; hybrid: vectors + keywords; vector: meaning only; keyword: exact words; graph: through related entities.',
          ),
        limit: z.number().int().min(1).max(50).default(8).describe('Hits to return (1–50).'),
        hops: z
          .number()
          .int()
          .min(0)
          .max(3)
          .default(1)
          .describe(
            'Graph walk length from the query entities (0–3); 2 or 3 for multi-step questions.',
          ),
        domainId: z
          .string()
          .optional()
          .describe('Only search the documents of this knowledge domain (an active one).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, mode, limit, hops, domainId }) =>
      tool(async () => {
        const result = unwrap(
          await client.POST('/search', {
            body: {
              query,
              mode,
              limit,
              hops,
              includeInactive: false,
              ...(domainId ? { domainId } : {}),
            },
          }),
        );
        return ok({
          query: result.query,
          mode: result.mode,
          linkedEntities: result.linkedEntities.map((entity) => ({
            name: entity.name,
            type: entity.type,
            matched: entity.matchedText,
          })),
          hits: result.hits.map((hit, index) => ({
            rank: index + 1,
            title: hit.title,
            documentId: hit.documentId,
            chunkId: hit.chunkId,
            page: hit.page,
            locator: hit.locator,
            text: hit.text,
            score: hit.score,
            scoreParts: hit.scoreParts,
            entities: hit.entities.map((entity) => entity.name),
            paths: hit.paths.map((path) => path.text),
          })),
        });
      }),
  );

  addTool(
    server,
    'list_documents',
    {
      title: 'List documents',
      description:
        'Lists the documents of the workspace, newest first: id, title, status (pending, processing, indexed, failed, deleting), type, size and counts of chunks and entities. Paginate with offset.',
      inputSchema: {
        status: z
          .enum(['pending', 'processing', 'indexed', 'failed', 'deleting'])
          .optional()
          .describe('Only documents in this status.'),
        limit: z.number().int().min(1).max(100).default(20).describe('At most this many (1–100).'),
        offset: z.number().int().min(0).default(0).describe('Skip this many (for the next page).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ status, limit, offset }) =>
      tool(async () => {
        const page = unwrap(
          await client.GET('/documents', {
            params: { query: { ...(status ? { status } : {}), limit, offset } },
          }),
        );
        return ok({
          ...page,
          items: page.items.map((doc) => ({
            id: doc.id,
            title: doc.title,
            status: doc.status,
            // Set for a document uploaded with a sourceKey: the version searches see.
            sourceKey: doc.sourceKey,
            version: doc.version,
            mime: doc.mime,
            sizeBytes: doc.sizeBytes,
            counts: doc.counts,
            updatedAt: doc.updatedAt,
          })),
        });
      }),
  );

  addTool(
    server,
    'get_document',
    {
      title: 'Read a document',
      description:
        'One document: its title, status, type and counts and, once it is indexed, its text (as extracted from the original, up to maxChars characters). The same text is the resource cairn://documents/{id}.',
      inputSchema: {
        id: documentId,
        maxChars: z
          .number()
          .int()
          .min(0)
          .max(200_000)
          .default(20_000)
          .describe('Return at most this many characters of text (0 for none).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id, maxChars }) =>
      tool(async () => {
        const doc = unwrap(await client.GET('/documents/{id}', { params: { path: { id } } }));
        const summary = {
          id: doc.id,
          title: doc.title,
          status: doc.status,
          mime: doc.mime,
          sizeBytes: doc.sizeBytes,
          counts: doc.counts,
          error: doc.error,
          createdAt: doc.createdAt,
        };
        if (doc.status !== 'indexed' || maxChars === 0) return ok(summary);
        const text = await documentText(client, id);
        return ok({
          ...summary,
          text: text.slice(0, maxChars),
          truncated: text.length > maxChars,
          totalChars: text.length,
        });
      }),
  );

  addTool(
    server,
    'get_chunks',
    {
      title: "A document's passages",
      description:
        'The passages (chunks) of an indexed document in order, each with its text, character offsets and page: what search returns hits from.',
      inputSchema: { id: documentId },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id }) =>
      tool(async () =>
        ok(unwrap(await client.GET('/documents/{id}/chunks', { params: { path: { id } } }))),
      ),
  );

  addTool(
    server,
    'document_status',
    {
      title: 'Processing status of a document',
      description:
        'Where a document is in the pipeline: status (pending, processing, indexed, failed, deleting), the current stage (analyse, extract, graph, vectors, notify), the error of a failed one, and counts once indexed. A document is searchable when its status is indexed.',
      inputSchema: { id: documentId },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ id }) =>
      tool(async () => {
        const doc = unwrap(await client.GET('/documents/{id}', { params: { path: { id } } }));
        return ok({
          id: doc.id,
          title: doc.title,
          status: doc.status,
          stage: doc.stage,
          error: doc.error,
          counts: doc.counts,
          updatedAt: doc.updatedAt,
        });
      }),
  );

  addTool(
    server,
    'find_entities',
    {
      title: 'Find entities of the knowledge graph',
      description:
        'Entities (people, organisations, places, dates, works, …) whose name or alias matches the query, with their type, aliases and number of mentions. Their `key` is the entityId for entity_neighborhood.',
      inputSchema: {
        query: z.string().min(1).max(200).describe('A name or part of one.'),
        limit: z.number().int().min(1).max(100).default(10).describe('At most this many (1–100).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, limit }) =>
      tool(async () =>
        ok(unwrap(await client.GET('/entities', { params: { query: { query, limit } } }))),
      ),
  );

  addTool(
    server,
    'entity_neighborhood',
    {
      title: 'Entities connected to an entity',
      description:
        "The knowledge graph around an entity: the entities within `hops` relation steps, and the relations between them (source, predicate as label, target, how many passages state it). Use find_entities first to get the entity's key.",
      inputSchema: {
        entityId: z
          .string()
          .min(1)
          .max(500)
          .describe("The entity's key, from find_entities or search."),
        hops: z
          .number()
          .int()
          .min(1)
          .max(3)
          .default(1)
          .describe('Relation steps from the entity (1–3).'),
        limit: z.number().int().min(1).max(200).default(50).describe('At most this many entities.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ entityId, hops, limit }) =>
      tool(async () => {
        const graph = unwrap(
          await client.GET('/graph/neighborhood', { params: { query: { entityId, hops, limit } } }),
        );
        const names = new Map(graph.nodes.map((node) => [node.id, node.label]));
        return ok({
          center: graph.center,
          entities: graph.nodes.map((node) => ({
            key: node.id,
            name: node.label,
            type: node.type,
            mentions: node.mentions,
            depth: node.depth,
          })),
          relations: graph.edges.map((edge) => ({
            source: names.get(edge.source) ?? edge.source,
            predicate: edge.label,
            target: names.get(edge.target) ?? edge.target,
            count: edge.count,
          })),
          truncated: graph.truncated,
        });
      }),
  );

  addTool(
    server,
    'add_text_document',
    {
      title: 'Add a text document',
      description:
        'Adds a document from plain text (needs the editor role). Returns its id and status at once; with wait: true, returns once it is indexed (searchable) or failed, up to timeoutSeconds. The same text always gives the same document, so a repeated call does not duplicate it.',
      inputSchema: {
        title: z.string().min(1).max(500).describe('A short title for the document.'),
        text: z.string().min(1).describe('The document text (UTF-8).'),
        sourceKey: z
          .string()
          .min(1)
          .max(2048)
          .optional()
          .describe(
            'Where the text lives (a path, URL or id). Different text under the same sourceKey makes a new version of the same document, which replaces the old one once indexed.',
          ),
        wait: z
          .boolean()
          .default(false)
          .describe('Wait until the document is indexed or failed before answering.'),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(600)
          .default(120)
          .describe('With wait: answer after at most this many seconds, with the status reached.'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    ({ title, text, sourceKey, wait, timeoutSeconds }) =>
      tool(async () => {
        const accepted = unwrap(
          await client.POST('/documents', { body: { title, text, sourceKey } }),
        ) as {
          id: string;
          status: string;
          workflowId: string;
          versionId?: string;
        };
        if (!wait) return ok({ id: accepted.id, status: accepted.status });
        try {
          // A new version is followed by its own id until it is indexed and current.
          const last = await followDocument(client, accepted.versionId ?? accepted.id, {
            timeoutMs: timeoutSeconds * 1000,
          });
          if (last.status === 'failed') {
            return failure(`Document ${accepted.id} failed: ${last.error ?? 'no reason given'}`);
          }
          return ok({ id: accepted.id, status: last.status, counts: last.counts ?? null });
        } catch (error) {
          if (!(error instanceof FollowTimeout)) throw error;
          const doc = unwrap(
            await client.GET('/documents/{id}', { params: { path: { id: accepted.id } } }),
          );
          return ok({ id: accepted.id, status: doc.status, stage: doc.stage, timedOut: true });
        }
      }),
  );

  server.registerResource(
    'document',
    new ResourceTemplate('cairn://documents/{id}', {
      list: async () => {
        const page = unwrap(
          await client.GET('/documents', {
            params: { query: { status: 'indexed', limit: 100, offset: 0 } },
          }),
        );
        return {
          resources: page.items.map((doc) => ({
            uri: `cairn://documents/${doc.id}`,
            name: doc.title,
            mimeType: 'text/plain',
          })),
        };
      },
    }),
    {
      title: 'Cairn document',
      description: 'The text of an indexed document, as extracted from its original.',
      mimeType: 'text/plain',
    },
    async (uri, variables) => {
      const id = String(variables.id);
      const doc = unwrap(await client.GET('/documents/{id}', { params: { path: { id } } }));
      if (doc.status !== 'indexed') {
        throw new Error(`document ${id} is ${doc.status}; its text is readable once it is indexed`);
      }
      return {
        contents: [{ uri: uri.href, mimeType: 'text/plain', text: await documentText(client, id) }],
      };
    },
  );

  return server;
}
