import type { Command } from 'commander';
import { unwrap } from '../../client';
import { DEFAULT_HOPS } from '../../src/search/search.schema';
import { UsageError } from '../context';
import { action } from '../action';
import { type Colours, highlightTerms, truncate } from '../output';

const MODES = ['auto', 'hybrid', 'vector', 'keyword', 'graph'] as const;

interface Edge {
  source: string;
  target: string;
  label: string;
  count: number;
}
interface GraphNode {
  id: string;
  label: string;
  type: string;
  mentions: number;
  depth: number;
}

/**
 * The neighbourhood as a tree from its centre: each node under the node it was first reached
 * from (breadth first), with the relation and its direction on the branch.
 */
export function renderGraphTree(
  center: string,
  nodes: GraphNode[],
  edges: Edge[],
  c: Colours,
): string[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const adjacent = new Map<string, { other: string; edge: Edge; outgoing: boolean }[]>();
  for (const edge of edges) {
    for (const [from, to, outgoing] of [
      [edge.source, edge.target, true],
      [edge.target, edge.source, false],
    ] as const) {
      const list = adjacent.get(from) ?? [];
      list.push({ other: to, edge, outgoing });
      adjacent.set(from, list);
    }
  }
  const children = new Map<string, { id: string; edge: Edge; outgoing: boolean }[]>();
  const seen = new Set([center]);
  let frontier = [center];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      const links = (adjacent.get(id) ?? []).sort(
        (a, b) => (byId.get(b.other)?.mentions ?? 0) - (byId.get(a.other)?.mentions ?? 0),
      );
      for (const link of links) {
        if (seen.has(link.other)) continue;
        seen.add(link.other);
        next.push(link.other);
        const list = children.get(id) ?? [];
        list.push({ id: link.other, edge: link.edge, outgoing: link.outgoing });
        children.set(id, list);
      }
    }
    frontier = next;
  }
  const name = (id: string) => {
    const node = byId.get(id);
    return node
      ? `${c.bold(node.label)} ${c.dim(`(${node.type}, ${node.mentions} mentions)`)}`
      : id;
  };
  const lines = [name(center)];
  const draw = (id: string, prefix: string) => {
    const list = children.get(id) ?? [];
    list.forEach((child, index) => {
      const last = index === list.length - 1;
      const relation = child.outgoing
        ? c.cyan(`—${child.edge.label}→`)
        : c.magenta(`←${child.edge.label}—`);
      const more = child.edge.count > 1 ? c.dim(` ×${child.edge.count}`) : '';
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${relation}${more} ${name(child.id)}`);
      draw(child.id, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  draw(center, '');
  return lines;
}

/** The part of a passage around the first query term, so the match is in view. */
function excerpt(text: string, query: string, max = 320): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const terms = query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  const lower = flat.toLowerCase();
  const at = Math.min(
    ...terms.map((term) => lower.indexOf(term)).filter((index) => index >= 0),
    flat.length,
  );
  const start = at === flat.length ? 0 : Math.max(0, at - 80);
  return `${start > 0 ? '…' : ''}${truncate(flat.slice(start), max)}`;
}

export function registerSearchCommands(program: Command): void {
  program
    .command('search <query>')
    .description('search the workspace: ranked passages with their score parts and relation paths')
    .option('-m, --mode <mode>', MODES.join(' | '), 'auto')
    .option('--hops <n>', 'graph walk length (0–3)')
    .option('-n, --limit <n>', 'hits (1–100)', '10')
    .option('-d, --domain <id>', 'search the documents of a knowledge domain only')
    .option('--include-inactive', 'with --domain: also a domain that is not active yet')
    .action(
      action<
        [
          string,
          {
            mode: string;
            hops?: string;
            limit: string;
            domain?: string;
            includeInactive?: boolean;
          },
        ]
      >(async (context, query, options) => {
        if (!(MODES as readonly string[]).includes(options.mode)) {
          throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
        }
        context.requireWorkspace();
        const answer = await context.client.POST('/search', {
          body: {
            query,
            mode: options.mode as 'auto',
            limit: Number(options.limit),
            hops: options.hops !== undefined ? Number(options.hops) : DEFAULT_HOPS,
            ...(options.domain ? { domainId: options.domain } : {}),
            includeInactive: options.includeInactive === true,
          },
        });
        const result = unwrap(answer);
        // The request's trace in Jaeger, when the API links traces (CAIRN_JAEGER_UI_URL).
        const traceUrl = answer.response.headers.get('x-trace-url');
        context.out.result(result, () => {
          const { c } = context.out;
          const out = context.out;
          if (result.linkedEntities.length > 0) {
            out.line(
              `${c.dim('query entities:')} ${result.linkedEntities.map((entity) => `${entity.name} (${entity.type})`).join(', ')}`,
            );
            out.line();
          }
          result.hits.forEach((hit, index) => {
            const page =
              hit.page !== null && hit.page !== undefined ? c.dim(`, page ${hit.page}`) : '';
            const parts = hit.scoreParts;
            out.line(
              `${c.bold(`${index + 1}. ${hit.title}`)}${page}  ${c.dim(`score ${hit.score.toFixed(4)} = vector ${parts.vector.toFixed(4)} + keyword ${parts.keyword.toFixed(4)} + graph ${parts.graph.toFixed(4)}`)}`,
            );
            out.line(`   ${highlightTerms(excerpt(hit.text, query), query, c)}`);
            for (const path of hit.paths) out.line(`   ${c.cyan('path')} ${path.text}`);
            if (hit.entities.length > 0) {
              out.line(
                `   ${c.dim(`entities: ${hit.entities.map((entity) => entity.name).join(', ')}`)}`,
              );
            }
            out.line(c.dim(`   document ${hit.documentId}, chunk ${hit.chunkId}`));
            out.line();
          });
          out.line(
            c.dim(
              `${result.hits.length} hit(s), mode ${result.mode}, ${result.hops} hop(s), ${result.tookMs} ms${result.cached ? ', cached' : ''}`,
            ),
          );
          if (traceUrl) out.line(c.dim(`trace ${traceUrl}`));
        });
      }),
    );

  program
    .command('entities <query>')
    .description('entities of the knowledge graph whose names or aliases match')
    .option('-n, --limit <n>', 'at most this many (1–100)', '20')
    .action(
      action<[string, { limit: string }]>(async (context, query, options) => {
        context.requireWorkspace();
        const { entities } = unwrap(
          await context.client.GET('/entities', {
            params: { query: { query, limit: Number(options.limit) } },
          }),
        );
        context.out.result(entities, () =>
          context.out.table(
            ['name', 'type', 'mentions', 'aliases', 'id'],
            entities.map((entity) => [
              entity.name,
              entity.type,
              entity.mentions,
              truncate(entity.aliases.join(', '), 40),
              entity.key,
            ]),
          ),
        );
      }),
    );

  program
    .command('graph <entity>')
    .description('the graph around an entity (a name, or an id with --id), as a tree')
    .option('--hops <n>', 'relation steps from the entity (1–3)', '1')
    .option('--id', 'the argument is an entity id, not a name to look up')
    .option('-n, --limit <n>', 'at most this many nodes (1–200)', '60')
    .action(
      action<[string, { hops: string; id?: boolean; limit: string }]>(
        async (context, entity, options) => {
          context.requireWorkspace();
          let entityId = entity;
          if (!options.id) {
            const { entities } = unwrap(
              await context.client.GET('/entities', {
                params: { query: { query: entity, limit: 1 } },
              }),
            );
            if (entities.length === 0)
              throw new UsageError(`no entity matches ${JSON.stringify(entity)}`);
            entityId = entities[0].key;
          }
          const graph = unwrap(
            await context.client.GET('/graph/neighborhood', {
              params: {
                query: { entityId, hops: Number(options.hops), limit: Number(options.limit) },
              },
            }),
          );
          context.out.result(graph, () => {
            for (const line of renderGraphTree(
              graph.center,
              graph.nodes,
              graph.edges,
              context.out.c,
            )) {
              context.out.line(line);
            }
            if (graph.truncated)
              context.out.note(`(capped at ${options.limit} nodes: --limit shows more)`);
          });
        },
      ),
    );
}
