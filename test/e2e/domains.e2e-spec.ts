import { addMember, defaultAuthHeaders, testUser, testWorkspace, tokenFor } from '../support/auth';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { DocumentAcceptedDto, DocumentDto } from '../../src/documents/documents.dto';
import type {
  DomainOverview,
  DomainRecord,
  DomainWorkflowState,
  ReviewOutcome,
  ReviewRecord,
} from '../../src/domains/domain.types';
import { domainEventsChannel, type DomainEvent } from '../../src/domains/domain-events';
import type { SearchResponse } from '../../src/search/search.types';
import { callApi } from '../support/api';
import { connectTemporal } from '../support/temporal';

// Domain bootstrap through the HTTP API against the running workers and the real engines.
// Review timing is set per domain (review.timeoutSeconds/reminderSeconds), so expiry takes seconds.

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000);
jest.setTimeout(6 * INDEX_TIMEOUT_MS);

const workspaceId = testWorkspace();
const run = randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface DomainDetail extends DomainRecord {
  temporalUiUrl: string;
  documents: { documentId: string; source: string; reason: string; title: string }[];
  reviews: ReviewRecord[];
  workflow: DomainWorkflowState | null;
}
interface CreatedDomain {
  domain: DomainRecord;
  workflowId: string;
  temporalUiUrl: string;
}

// Three documents of the domain's subject and one off-topic document, each unique to this run.
const texts = {
  battery: `Battery Regulation ${run}. Helga Marston founded Voltara Industries in Oslo. Voltara Industries builds sodium batteries for Nordlys Energy. Nordlys Energy is a utility based in Bergen that stores wind power. The European Commission regulates battery recycling across the union.`,
  recycling: `Recycling Rules ${run}. The European Commission adopted new recycling targets for lithium. Voltara Industries reported that Helga Marston supervised the recycling plant in Oslo. Nordlys Energy buys recycled cells from Voltara Industries.`,
  topical: `Cobalt Sourcing ${run}. Quentin Ashdale leads Cobaltix Mining in Kinshasa. Cobaltix Mining sells cobalt to Voltara Industries for battery cathodes.`,
  outsider: `Garden Notes ${run}. Mirela Fontaine grows tomatoes in Lyon. Mirela Fontaine writes about batteries of garden hoses and Voltara Industries sprinklers.`,
};
const ids: Record<keyof typeof texts, string> = {
  battery: '',
  recycling: '',
  topical: '',
  outsider: '',
};

async function uploadText(title: string, text: string): Promise<string> {
  const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
    json: { title, text },
  });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function waitIndexed(id: string): Promise<void> {
  const deadline = Date.now() + INDEX_TIMEOUT_MS;
  for (;;) {
    const response = await callApi<DocumentDto>('GET', `/documents/${id}`);
    expect(response.status).toBe(200);
    if (response.body.status === 'indexed') return;
    if (response.body.status === 'failed') throw new Error(`document ${id} failed`);
    if (Date.now() > deadline) throw new Error(`document ${id} not indexed in time`);
    await sleep(250);
  }
}

async function createDomain(body: Record<string, unknown>): Promise<CreatedDomain> {
  const response = await callApi<CreatedDomain>('POST', '/domains', { json: body });
  expect(response.status).toBe(202);
  return response.body;
}

async function getDomain(id: string): Promise<DomainDetail> {
  const response = await callApi<DomainDetail>('GET', `/domains/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

/** Polls the domain until `done` holds; fails with the last state on a timeout. */
async function waitForDomain(
  id: string,
  done: (domain: DomainDetail) => boolean,
  timeoutMs = INDEX_TIMEOUT_MS,
): Promise<DomainDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const domain = await getDomain(id);
    if (done(domain)) return domain;
    if (domain.status === 'failed') throw new Error(`domain ${id} failed: ${domain.error}`);
    if (Date.now() > deadline) {
      throw new Error(
        `domain ${id} still ${domain.status}/${domain.stage}: ${JSON.stringify(domain.workflow)}`,
      );
    }
    await sleep(300);
  }
}

/** Waiting for review: Postgres says so and the workflow accepts decisions on this revision. */
const awaitingReview = (revision: number) => (domain: DomainDetail) =>
  domain.status === 'awaiting_review' && domain.workflow?.pendingReview?.revision === revision;

const review = (id: string, decision: string, comment = '') =>
  callApi<ReviewOutcome & { message?: string }>('POST', `/domains/${id}/review`, {
    json: { decision, comment },
  });

const name = (label: string) => `${label} ${run}`;
const longReview = { timeoutSeconds: 3_600 };

beforeAll(async () => {
  for (const key of Object.keys(texts) as (keyof typeof texts)[]) {
    ids[key] = await uploadText(`${key} ${run}`, texts[key]);
  }
  for (const id of Object.values(ids)) await waitIndexed(id);
});

describe('domain bootstrap with review', () => {
  it('researches, drafts an overview with quoted glossary, waits, and activates on approve', async () => {
    const created = await createDomain({
      name: name('EU battery regulation'),
      description: 'Batteries, recycling and the companies involved.',
      seedDocumentIds: [ids.battery, ids.recycling],
      seedTopics: [`Cobaltix Mining`],
      review: longReview,
    });
    expect(created.domain.status).toBe('bootstrapping');
    expect(created.workflowId).toBe(`domain:${workspaceId}:${created.domain.id}`);
    expect(created.temporalUiUrl).toContain(encodeURIComponent(created.workflowId));

    const waiting = await waitForDomain(created.domain.id, awaitingReview(1));
    expect(waiting.workflow?.stage).toBe('review');
    expect(waiting.workflow?.draft?.revision).toBe(1);
    // Research: the seeds plus the document found through the seed topic, each with its reason.
    const members = new Map(waiting.documents.map((d) => [d.documentId, d]));
    expect(members.get(ids.battery)?.source).toBe('seed');
    expect(members.get(ids.topical)?.source).toBe('topic');
    expect(members.get(ids.topical)?.reason).toContain('Cobaltix Mining');
    expect(members.has(ids.outsider)).toBe(false);

    const overview = await callApi<DomainOverview>('GET', `/domains/${created.domain.id}/overview`);
    expect(overview.status).toBe(200);
    const entityNames = overview.body.keyEntities.map((entity) => entity.name);
    expect(entityNames).toEqual(expect.arrayContaining(['Voltara Industries', 'Helga Marston']));
    expect(overview.body.keyEntities[0].importance).toBe(1);
    expect(overview.body.relations.length).toBeGreaterThan(0);
    expect(overview.body.glossary.length).toBeGreaterThan(0);
    for (const entry of overview.body.glossary) {
      // Each definition is a verbatim quote at the stated offsets of its source document (topic
      // research may also pick documents of earlier runs, so read the source through the API).
      const source = await callApi<string>('GET', `/documents/${entry.source.documentId}/content`);
      expect(source.status).toBe(200);
      expect(source.body.slice(entry.source.start, entry.source.end)).toBe(entry.definition);
      expect(entry.definition.toLowerCase()).toContain(entry.term.toLowerCase().split(' ')[0]);
    }

    const approved = await review(created.domain.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      accepted: true,
      decision: 'approve',
      next: 'activation',
    });
    const active = await waitForDomain(created.domain.id, (d) => d.status === 'active');
    expect(active.activatedAt).not.toBeNull();
    expect(active.reviews).toEqual([
      expect.objectContaining({ decision: 'approve', revision: 1, reviewer: expect.any(String) }),
    ]);
    expect(active.workflow?.decisions).toHaveLength(1);

    // Operators find it in Temporal by DomainId and Stage.
    const temporal = await connectTemporal();
    try {
      const description = await temporal.client.workflow.getHandle(created.workflowId).describe();
      expect(description.status.name).toBe('COMPLETED');
      const attributes = description.searchAttributes;
      expect(attributes.DomainId).toEqual([created.domain.id]);
      expect(attributes.WorkspaceId).toEqual([workspaceId]);
      expect(attributes.Stage).toEqual(['active']);
    } finally {
      await temporal.close();
    }

    // A second approve finds nothing to decide.
    const again = await review(created.domain.id, 'approve');
    expect(again.status).toBe(409);
  });

  it('rejects with a reason and refuses later decisions', async () => {
    const created = await createDomain({
      name: name('Rejected domain'),
      seedDocumentIds: [ids.battery],
      review: longReview,
    });
    await waitForDomain(created.domain.id, awaitingReview(1));
    const rejected = await review(created.domain.id, 'reject', 'Too narrow for a domain.');
    expect(rejected.status).toBe(200);
    expect(rejected.body.next).toBe('rejected');
    const final = await waitForDomain(created.domain.id, (d) => d.status === 'rejected');
    expect(final.reviews).toEqual([
      expect.objectContaining({ decision: 'reject', comment: 'Too narrow for a domain.' }),
    ]);
    expect((await review(created.domain.id, 'approve')).status).toBe(409);
  });

  it('redrafts on request_changes, waits again, then activates on approve', async () => {
    const created = await createDomain({
      name: name('Changes requested'),
      seedDocumentIds: [ids.battery],
      review: longReview,
    });
    await waitForDomain(created.domain.id, awaitingReview(1));
    const changes = await review(created.domain.id, 'request_changes', 'Add the recycling rules.');
    expect(changes.status).toBe(200);
    expect(changes.body.next).toBe('redraft');
    // Meanwhile the reviewer adds the missing document.
    const added = await callApi<{ added: string[]; workflowId: string }>(
      'POST',
      `/domains/${created.domain.id}/documents`,
      { json: { documentIds: [ids.recycling], reason: 'Recycling rules asked for in review.' } },
    );
    expect(added.status).toBe(202);
    expect(added.body.added).toEqual([ids.recycling]);

    const second = await waitForDomain(created.domain.id, awaitingReview(2));
    expect(second.revision).toBe(2);
    const overview = await callApi<DomainOverview>('GET', `/domains/${created.domain.id}/overview`);
    expect(overview.body.revision).toBe(2);
    expect(overview.body.addressedComments).toEqual(['Add the recycling rules.']);
    expect(overview.body.documents.map((d) => d.id)).toEqual(
      expect.arrayContaining([ids.battery, ids.recycling]),
    );

    expect((await review(created.domain.id, 'approve')).status).toBe(200);
    const active = await waitForDomain(created.domain.id, (d) => d.status === 'active');
    expect(active.reviews.map((r) => [r.revision, r.decision])).toEqual([
      [1, 'request_changes'],
      [2, 'approve'],
    ]);
  });

  it('reminds, then expires a domain nobody reviews', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    const events: DomainEvent[] = [];
    try {
      await redis.subscribe(domainEventsChannel(workspaceId));
      redis.on('message', (_channel, message: string) => events.push(JSON.parse(message)));
      const created = await createDomain({
        name: name('Expiring domain'),
        seedDocumentIds: [ids.battery],
        review: { reminderSeconds: 2, timeoutSeconds: 5 },
      });
      const expired = await waitForDomain(created.domain.id, (d) => d.status === 'expired');
      expect(expired.reviews).toEqual([]);
      // The status is written before the event is published: give the event a moment to arrive.
      const expiredEvent = (event: DomainEvent) =>
        event.domainId === created.domain.id && event.event === 'domain.expired';
      for (let waited = 0; waited < 10_000 && !events.some(expiredEvent); waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const mine = events.filter((event) => event.domainId === created.domain.id);
      const names = mine.map((event) => event.event);
      expect(names).toContain('domain.review_reminder');
      expect(names).toContain('domain.expired');
      expect(names.indexOf('domain.review_reminder')).toBeLessThan(names.indexOf('domain.expired'));
      expect((await review(created.domain.id, 'approve')).status).toBe(409);
    } finally {
      redis.disconnect();
    }
  });

  it('lets exactly one of a concurrent approve and reject win', async () => {
    const created = await createDomain({
      name: name('Concurrent decisions'),
      seedDocumentIds: [ids.battery],
      review: longReview,
    });
    await waitForDomain(created.domain.id, awaitingReview(1));
    const answers = await Promise.all([
      review(created.domain.id, 'approve'),
      review(created.domain.id, 'reject', 'No.'),
      review(created.domain.id, 'approve'),
    ]);
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(2);
    const expected = winners[0].body.decision === 'approve' ? 'active' : 'rejected';
    const final = await waitForDomain(created.domain.id, (d) => d.status === expected);
    expect(final.reviews).toHaveLength(1);
    expect(final.reviews[0].decision).toBe(winners[0].body.decision);
  });

  it('refuses a decision from someone who is not a named reviewer', async () => {
    // Reviewers are members of the workspace, named by user id.
    const reviewer = testUser(`reviewer-${run}`);
    const reviewerToken = await tokenFor(reviewer);
    expect(
      (
        await callApi('GET', '/workspaces', {
          headers: { authorization: `Bearer ${reviewerToken}` },
        })
      ).status,
    ).toBe(200);
    const ownerToken = (await defaultAuthHeaders()).authorization.replace(/^Bearer /, '');
    await addMember(
      testWorkspace(),
      ownerToken,
      { user: reviewer, token: reviewerToken },
      'editor',
    );
    const created = await createDomain({
      name: name('Named reviewers'),
      seedDocumentIds: [ids.battery],
      reviewers: [reviewer.id],
      review: longReview,
    });
    await waitForDomain(created.domain.id, awaitingReview(1));
    const refused = await review(created.domain.id, 'approve');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(reviewer.id);
    const still = await getDomain(created.domain.id);
    expect(still.status).toBe('awaiting_review');
    expect(still.reviews).toEqual([]);
    expect((await callApi('DELETE', `/domains/${created.domain.id}`)).status).toBe(200);
  });
});

describe('auto mode, scoped search, adding documents and archive', () => {
  let domainId = '';

  it('activates without a review in auto mode', async () => {
    const created = await createDomain({
      name: name('Auto domain'),
      seedDocumentIds: [ids.battery, ids.recycling],
      mode: 'auto',
    });
    domainId = created.domain.id;
    const active = await waitForDomain(domainId, (d) => d.status === 'active');
    expect(active.mode).toBe('auto');
    expect(active.reviews).toEqual([]);
    expect(active.workflow?.decisions).toEqual([]);
    expect((await callApi('GET', `/domains/${domainId}/overview`)).status).toBe(200);
    expect((await review(domainId, 'approve')).status).toBe(409);
  });

  it('joins the processing run of a seed document still being processed instead of starting another', async () => {
    const fresh = await uploadText(
      `fresh ${run}`,
      `Fresh Seed ${run}. Ottilie Brandt directs Kestrel Cells in Hamburg. Kestrel Cells recycles batteries for Voltara Industries.`,
    );
    // Created at once: the document is pending or processing while the domain researches.
    const created = await createDomain({
      name: name('Fresh seed'),
      seedDocumentIds: [fresh],
      mode: 'auto',
    });
    const active = await waitForDomain(created.domain.id, (d) => d.status === 'active');
    expect(active.workflow?.research.processed).toBe(1);
    expect(active.workflow?.research.failed).toEqual([]);
    expect((await callApi<DocumentDto>('GET', `/documents/${fresh}`)).body.status).toBe('indexed');
    const overview = await callApi<DomainOverview>('GET', `/domains/${created.domain.id}/overview`);
    expect(overview.body.keyEntities.map((entity) => entity.name)).toContain('Kestrel Cells');
    const temporal = await connectTemporal();
    try {
      const runs = [];
      for await (const execution of temporal.client.workflow.list({
        query: `WorkflowId = 'document:${workspaceId}:${fresh}'`,
      })) {
        runs.push(execution.runId);
      }
      expect(runs).toHaveLength(1);
    } finally {
      await temporal.close();
    }
    expect((await callApi('DELETE', `/domains/${created.domain.id}`)).status).toBe(200);
  });

  const search = (body: Record<string, unknown>) =>
    callApi<SearchResponse & { message?: string }>('POST', '/search', {
      json: { query: `Voltara Industries ${run}`, mode: 'hybrid', limit: 20, ...body },
      headers: { 'cache-control': 'no-cache' },
    });

  it('restricts search to the domain and refuses unknown or inactive domains', async () => {
    const everywhere = await search({});
    expect(everywhere.status).toBe(200);
    expect(everywhere.body.hits.map((hit) => hit.documentId)).toContain(ids.outsider);

    const scoped = await search({ domainId });
    expect(scoped.status).toBe(200);
    const scopedDocs = new Set(scoped.body.hits.map((hit) => hit.documentId));
    expect(scopedDocs.size).toBeGreaterThan(0);
    for (const id of scopedDocs) expect([ids.battery, ids.recycling]).toContain(id);

    const unknown = await search({ domainId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('unknown domain');

    const pending = await createDomain({
      name: name('Pending domain'),
      seedDocumentIds: [ids.outsider],
      review: longReview,
    });
    await waitForDomain(pending.domain.id, awaitingReview(1));
    const refused = await search({ domainId: pending.domain.id });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('includeInactive');
    const inactive = await search({ domainId: pending.domain.id, includeInactive: true });
    expect(inactive.status).toBe(200);
    expect(new Set(inactive.body.hits.map((hit) => hit.documentId))).toEqual(
      new Set([ids.outsider]),
    );
    expect((await callApi('DELETE', `/domains/${pending.domain.id}`)).status).toBe(200);
  });

  it('adds a document later: it becomes a linked member and searchable in the domain', async () => {
    const added = await callApi<{ added: string[]; workflowId: string }>(
      'POST',
      `/domains/${domainId}/documents`,
      { json: { documentIds: [ids.outsider] } },
    );
    expect(added.status).toBe(202);
    const temporal = await connectTemporal();
    try {
      await temporal.client.workflow.getHandle(added.body.workflowId).result();
    } finally {
      await temporal.close();
    }
    const domain = await getDomain(domainId);
    expect(domain.documents.map((d) => d.documentId)).toContain(ids.outsider);
    const scoped = await search({ domainId });
    expect(scoped.body.hits.map((hit) => hit.documentId)).toContain(ids.outsider);
  });

  it('archives: unlinks, frees the name, keeps the documents', async () => {
    const archived = await callApi<DomainRecord>('DELETE', `/domains/${domainId}`);
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');
    expect(archived.body.documentCount).toBe(0);
    expect((await search({ domainId })).status).toBe(400);
    for (const id of [ids.battery, ids.recycling, ids.outsider]) {
      expect((await callApi('GET', `/documents/${id}`)).status).toBe(200);
    }
    // The name is free again.
    const reused = await createDomain({ name: name('Auto domain'), mode: 'auto' });
    await waitForDomain(reused.domain.id, (d) => d.status === 'active');
  });
});

describe('bad input', () => {
  const countDomains = async () =>
    (await callApi<{ total: number }>('GET', '/domains?limit=1')).body.total;

  it.each([
    [{ name: '' }, 400, 'name must not be empty'],
    [{ name: '   ' }, 400, 'name must not be empty'],
    [{ name: 'x'.repeat(121) }, 400, 'name must be at most 120 characters'],
    [{}, 400, 'name is required'],
    [{ name: 'ok', mode: 'manual' }, 400, 'mode must be one of review, auto'],
    [{ name: 'ok', seedDocumentIds: ['nope'] }, 400, 'must be a document id'],
    [{ name: 'ok', colour: 'red' }, 400, 'Unrecognized key'],
    [
      { name: 'ok', seedDocumentIds: ['00000000-0000-4000-8000-000000000001'] },
      404,
      'no such document in this workspace: 00000000-0000-4000-8000-000000000001',
    ],
  ])('refuses %j with %i and stores nothing', async (body, status, message) => {
    const before = await countDomains();
    const response = await callApi<{ message: string | string[] }>('POST', '/domains', {
      json: body,
    });
    expect(response.status).toBe(status);
    expect(JSON.stringify(response.body.message)).toContain(message);
    expect(await countDomains()).toBe(before);
  });

  it('refuses a duplicate name in the workspace (case-insensitive) with 409', async () => {
    await createDomain({ name: name('Unique name'), mode: 'auto' });
    const before = await countDomains();
    const duplicate = await callApi<{ message: string }>('POST', '/domains', {
      json: { name: `  ${name('UNIQUE NAME')} `, mode: 'auto' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toContain('already exists');
    expect(await countDomains()).toBe(before);
  });

  it('answers 400 to invalid decisions and 404 to unknown domains', async () => {
    const created = await createDomain({ name: name('Decisions'), review: longReview });
    await waitForDomain(created.domain.id, awaitingReview(1));
    for (const body of [
      { decision: 'maybe' },
      {},
      { decision: 'reject' },
      { decision: 'approve', extra: 1 },
    ]) {
      const response = await callApi('POST', `/domains/${created.domain.id}/review`, {
        json: body,
      });
      expect(response.status).toBe(400);
    }
    expect((await getDomain(created.domain.id)).status).toBe('awaiting_review');
    const unknown = '00000000-0000-4000-8000-000000000002';
    expect((await review(unknown, 'approve')).status).toBe(404);
    expect((await callApi('GET', `/domains/${unknown}`)).status).toBe(404);
    expect((await callApi('GET', '/domains/not-a-uuid')).status).toBe(400);
    const addUnknown = await callApi('POST', `/domains/${created.domain.id}/documents`, {
      json: { documentIds: ['00000000-0000-4000-8000-000000000003'] },
    });
    expect(addUnknown.status).toBe(404);
    expect((await getDomain(created.domain.id)).documentCount).toBe(0);
    expect((await callApi('DELETE', `/domains/${created.domain.id}`)).status).toBe(200);
  });
});
