import type { Command } from 'commander';
import { type Schemas, unwrap } from '../../client';
import { type CliContext, UsageError } from '../context';
import { action } from '../action';
import { truncate } from '../output';
import { ProgressBoard } from '../progress';

type DomainDetail = Schemas['DomainDetailDto'];

const DECISIONS: Record<string, 'approve' | 'reject' | 'request_changes'> = {
  approve: 'approve',
  reject: 'reject',
  'request-changes': 'request_changes',
  request_changes: 'request_changes',
};
const STAGES = ['research', 'knowledge-base', 'content', 'review', 'activation'];
const SETTLED = new Set(['awaiting_review', 'active', 'rejected', 'expired', 'failed', 'archived']);
const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');
const collect = (value: string, previous: string[] = []) => [...previous, value];

async function getDomain(context: CliContext, id: string): Promise<DomainDetail> {
  return unwrap(await context.client.GET('/domains/{id}', { params: { path: { id } } }));
}

/** Polls the domain (it has no event stream) until it waits for review or has ended. */
async function followDomain(
  context: CliContext,
  id: string,
  timeoutMs: number,
): Promise<DomainDetail> {
  const board = new ProgressBoard(context.out);
  const line = board.item(`domain ${id.slice(0, 8)}`, STAGES.length);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const domain = await getDomain(context, id);
      const stage = domain.stage ?? 'research';
      line.update(
        Math.max(0, STAGES.indexOf(stage)) + (SETTLED.has(domain.status) ? 1 : 0),
        `${domain.status} · ${stage}`,
      );
      if (SETTLED.has(domain.status)) {
        line.finish(domain.status);
        return domain;
      }
      if (Date.now() > deadline) {
        line.finish(`still ${domain.status} (${stage})`);
        return domain;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    board.stop();
  }
}

function printDomain(context: CliContext, domain: DomainDetail): void {
  const { out } = context;
  out.result(domain, () => {
    const { c } = out;
    const rows: [string, string | number | null | undefined][] = [
      ['id', domain.id],
      ['name', domain.name],
      ['status', `${domain.status}${domain.stage ? ` (${domain.stage})` : ''}`],
      ['mode', domain.mode],
      ['revision', domain.revision],
      ['documents', domain.documentCount],
      ['topics', domain.seedTopics.join(', ')],
      ['error', domain.error],
      ['created', when(domain.createdAt)],
      ['workflow', domain.temporalUiUrl ?? domain.workflowId],
    ];
    for (const [label, value] of rows) {
      if (value !== null && value !== undefined && value !== '')
        out.line(`${c.dim(label.padEnd(10))}${String(value)}`);
    }
    const pending = domain.workflow?.pendingReview;
    if (pending) {
      out.line(
        `${c.yellow('waiting for review')} of revision ${pending.revision} since ${when(pending.since)}, expires ${when(pending.expiresAt)}`,
      );
      out.line(
        c.dim(
          `  cairn domains review ${domain.id} approve | reject -m "…" | request-changes -m "…"`,
        ),
      );
    }
    if (domain.documents?.length) {
      out.line();
      out.table(
        ['document', 'title', 'source', 'why'],
        domain.documents.map((doc) => [
          doc.documentId,
          truncate(doc.title, 30),
          doc.source,
          truncate(doc.reason, 60),
        ]),
      );
    }
    if (domain.reviews?.length) {
      out.line();
      out.table(
        ['revision', 'decision', 'by', 'at', 'comment'],
        domain.reviews.map((review) => [
          review.revision,
          review.decision,
          review.reviewer,
          when(review.decidedAt),
          truncate(review.comment, 50),
        ]),
      );
    }
  });
}

export function registerDomainCommands(program: Command): void {
  const domains = program
    .command('domains')
    .description('knowledge domains: bootstrapped, reviewed, searched');

  domains
    .command('create <name>')
    .description('start a domain from seed documents and topics')
    .option('--description <text>', 'what the domain is about')
    .option('--seed <documentId>', 'a seed document (repeat for more)', collect)
    .option('--topic <topic>', 'a seed topic to research (repeat for more)', collect)
    .option('--mode <mode>', 'review (a person approves) | auto', 'review')
    .option('--reviewer <userId>', 'a user who may review (repeat; default: any editor)', collect)
    .option('--wait', 'follow the bootstrap until it waits for review or ends')
    .option('--timeout <seconds>', 'with --wait: stop following after this long', '600')
    .action(
      action<
        [
          string,
          {
            description?: string;
            seed?: string[];
            topic?: string[];
            mode: string;
            reviewer?: string[];
            wait?: boolean;
            timeout: string;
          },
        ]
      >(async (context, name, options) => {
        if (!['review', 'auto'].includes(options.mode))
          throw new UsageError('--mode must be review or auto');
        context.requireWorkspace();
        const created = unwrap(
          await context.client.POST('/domains', {
            body: {
              name,
              mode: options.mode as 'review',
              ...(options.description ? { description: options.description } : {}),
              ...(options.seed ? { seedDocumentIds: options.seed } : {}),
              ...(options.topic ? { seedTopics: options.topic } : {}),
              ...(options.reviewer ? { reviewers: options.reviewer } : {}),
            },
          }),
        );
        if (!options.wait) {
          context.out.result(created, () =>
            context.out.line(
              `Domain ${created.domain.id} (${created.domain.name}) is bootstrapping: cairn domains show ${created.domain.id}`,
            ),
          );
          return;
        }
        context.out.note(`Domain ${created.domain.id} is bootstrapping.`);
        printDomain(
          context,
          await followDomain(context, created.domain.id, Number(options.timeout) * 1000),
        );
      }),
    );

  domains
    .command('ls')
    .description('list domains')
    .option('--status <status>', 'only domains in this status')
    .action(
      action<[{ status?: string }]>(async (context, options) => {
        context.requireWorkspace();
        const page = unwrap(
          await context.client.GET('/domains', {
            params: {
              query: { ...(options.status ? { status: options.status as 'active' } : {}) },
            },
          }),
        );
        context.out.result(page, () =>
          context.out.table(
            ['id', 'name', 'status', 'stage', 'docs', 'revision', 'updated'],
            page.items.map((domain) => [
              domain.id,
              truncate(domain.name, 30),
              domain.status,
              domain.stage,
              domain.documentCount,
              domain.revision,
              when(domain.updatedAt),
            ]),
          ),
        );
      }),
    );

  domains
    .command('show <id>')
    .description('one domain: status, members and why each joined, reviews')
    .option('--follow', 'follow the bootstrap until it waits for review or ends')
    .action(
      action<[string, { follow?: boolean }]>(async (context, id, options) => {
        context.requireWorkspace();
        printDomain(
          context,
          options.follow ? await followDomain(context, id, 600_000) : await getDomain(context, id),
        );
      }),
    );

  domains
    .command('overview <id>')
    .description(
      'the drafted overview: key entities, glossary with quoted sources, relations, topics',
    )
    .action(
      action<[string]>(async (context, id) => {
        context.requireWorkspace();
        const overview = unwrap(
          await context.client.GET('/domains/{id}/overview', { params: { path: { id } } }),
        );
        context.out.result(overview, () => {
          const { out } = context;
          const { c } = out;
          out.line(c.bold(`${overview.name} — revision ${overview.revision}`));
          if (overview.description) out.line(overview.description);
          out.line();
          out.line(c.bold('Key entities'));
          out.table(
            ['entity', 'type', 'importance', 'mentions'],
            overview.keyEntities
              .slice(0, 15)
              .map((entity) => [
                entity.name,
                entity.type,
                entity.importance.toFixed(2),
                entity.mentions,
              ]),
          );
          if (overview.glossary.length > 0) {
            out.line();
            out.line(c.bold('Glossary'));
            for (const entry of overview.glossary) {
              out.line(`${c.bold(entry.term)} ${c.dim(`(${entry.type})`)}: “${entry.definition}”`);
              out.line(
                c.dim(
                  `   — ${entry.source.documentTitle}, chars ${entry.source.start}–${entry.source.end}`,
                ),
              );
            }
          }
          if (overview.relations.length > 0) {
            out.line();
            out.line(c.bold('Relations'));
            for (const relation of overview.relations.slice(0, 20)) {
              out.line(
                `${relation.source} ${c.cyan(`—${relation.predicate}→`)} ${relation.target} ${c.dim(`(${relation.evidenceCount} passages)`)}`,
              );
            }
          }
          if (overview.clusters.length > 0) {
            out.line();
            out.line(c.bold('Topics'));
            for (const cluster of overview.clusters)
              out.line(`${cluster.label}: ${cluster.entities.join(', ')}`);
          }
        });
      }),
    );

  domains
    .command('review <id> <decision>')
    .description('decide on the draft waiting for review: approve | reject | request-changes')
    .option('-m, --comment <text>', 'why (needed to reject or request changes)', '')
    .action(
      action<[string, string, { comment: string }]>(async (context, id, decision, options) => {
        const chosen = DECISIONS[decision];
        if (!chosen) throw new UsageError('the decision is approve, reject or request-changes');
        if (chosen !== 'approve' && !options.comment.trim()) {
          throw new UsageError(`${decision} needs a comment: -m "…"`);
        }
        context.requireWorkspace();
        const outcome = unwrap(
          await context.client.POST('/domains/{id}/review', {
            params: { path: { id } },
            body: { decision: chosen, comment: options.comment },
          }),
        );
        context.out.result(outcome, () =>
          context.out.line(
            `Recorded ${decision} on domain ${id} (revision ${outcome.revision}); next: ${outcome.next}.`,
          ),
        );
      }),
    );
}
