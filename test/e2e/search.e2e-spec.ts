import { randomInt } from 'node:crypto';
import { callApi } from '../support/api';

// Search against the running API and workers: a small corpus where the answer takes two hops.
// Names carry a random token so that re-runs (and other tests in the shared default workspace)
// never collide; every search is restricted to this run's documents.

jest.setTimeout(600_000);

interface Hit {
  documentId: string;
  title: string;
  text: string;
  score: number;
  scoreParts: { vector: number; keyword: number; graph: number };
  entities: { key: string; name: string }[];
  paths: { text: string; entities: { name: string }[] }[];
}
interface SearchBody {
  hits: Hit[];
  linkedEntities: { key: string; name: string }[];
  relatedEntities: { key: string; name: string }[];
  cached: boolean;
}

const letters = 'bcdfghjklmnpqrstvwxz';
// Letters only, so that the names stay words; time-based so that no two runs share one.
const token = `${Date.now().toString(20)}${randomInt(400)}`
  .split('')
  .map((character) => letters[parseInt(character, 20) % letters.length])
  .join('');
const founder = `Ildric Tav${token}`;
const foundry = `Velbrook${token} Foundry`;
const town = `Quenmoor${token}`;
const question = `In which town is the foundry established by ${founder}?`;

const corpus = {
  bridge: {
    title: founder,
    text: `${founder} was an engineer of the nineteenth century. In 1871 ${founder} established the ${foundry}, which he ran until his death.`,
  },
  answer: {
    title: foundry,
    text: `The ${foundry} stands in ${town}, a harbour settlement on the northern coast, and still casts church bells.`,
  },
  distractors: ['Ossian', 'Berrick', 'Caldor', 'Maelis', 'Torvin'].map((first, index) => ({
    title: `${first} Drel${token}`,
    text: `The foundry established by ${first} Drel${token} is in the town of Harrow${token}${letters[index]}, where the foundry established its first furnace.`,
  })),
};

async function upload(document: { title: string; text: string }): Promise<string> {
  const response = await callApi<{ id: string }>('POST', '/documents', { json: document });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function waitFor(
  documentId: string,
  done: (status: number, body: { status?: string }) => boolean,
): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const response = await callApi<{ status?: string; error?: string }>(
      'GET',
      `/documents/${documentId}`,
    );
    if (done(response.status, response.body)) return;
    if (response.body.status === 'failed')
      throw new Error(`document failed: ${response.body.error}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${documentId}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const indexed = (status: number, body: { status?: string }) =>
  status === 200 && body.status === 'indexed';

describe('POST /search', () => {
  const ids: Record<string, string> = {};
  let allIds: string[] = [];

  const search = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    callApi<SearchBody>('POST', '/search', {
      json: { query: question, filters: { documentIds: allIds }, ...body },
      headers,
    });

  beforeAll(async () => {
    ids.bridge = await upload(corpus.bridge);
    ids.answer = await upload(corpus.answer);
    for (const [index, distractor] of corpus.distractors.entries()) {
      ids[`distractor${index}`] = await upload(distractor);
    }
    allIds = Object.values(ids);
    for (const id of allIds) await waitFor(id, indexed);
  });

  it('finds the two-hop answer through the graph, which vector search alone misses', async () => {
    const vector = await search({ mode: 'vector', limit: 3 });
    expect(vector.status).toBe(200);
    expect(vector.body.hits.map((hit) => hit.documentId)).not.toContain(ids.answer);

    for (const mode of ['graph', 'auto']) {
      const response = await search({ mode, limit: 3 });
      expect(response.status).toBe(200);
      const answer = response.body.hits.find((hit) => hit.documentId === ids.answer);
      expect(answer).toBeDefined();
      expect(answer!.scoreParts.graph).toBeGreaterThan(0);
      // The explanation is the connecting path: the founder —established→ the foundry.
      expect(answer!.paths.map((path) => path.text)).toContainEqual(
        expect.stringMatching(new RegExp(`${founder}.*${foundry}`)),
      );
      expect(answer!.entities.map((entity) => entity.name)).toContain(foundry);
      expect(response.body.linkedEntities.map((entity) => entity.name)).toContain(founder);
    }
  });

  it('reports the score parts of each signal in auto mode', async () => {
    const response = await search({ mode: 'auto', limit: 5 });
    for (const hit of response.body.hits) {
      const { vector, keyword, graph } = hit.scoreParts;
      expect(vector + keyword + graph).toBeCloseTo(hit.score, 5);
    }
    expect(response.body.relatedEntities.length).toBeGreaterThan(0);
  });

  it('caches answers and drops a deleted document from them at once', async () => {
    const first = await search({ mode: 'graph', limit: 5, hops: 2 });
    const second = await search({ mode: 'graph', limit: 5, hops: 2 });
    expect(second.body.cached).toBe(true);
    expect(second.body.hits).toEqual(first.body.hits);

    const removed = await callApi('DELETE', `/documents/${ids.answer}`);
    expect(removed.status).toBe(202);
    const rightAfter = await search({ mode: 'graph', limit: 5, hops: 2 });
    expect(rightAfter.body.hits.map((hit) => hit.documentId)).not.toContain(ids.answer);

    await waitFor(ids.answer, (status) => status === 404);
    for (const mode of ['graph', 'auto', 'vector', 'keyword', 'hybrid']) {
      const response = await search({ mode, limit: 10 });
      expect(response.body.hits.map((hit) => hit.documentId)).not.toContain(ids.answer);
    }
  });

  it('sees a new upload once it is indexed (the content version retires cached answers)', async () => {
    // Only this run's new document has this word, so the answer is empty until it is indexed.
    const query = { mode: 'keyword', limit: 10, query: `Lumenhall${token}` };
    const before = await callApi<SearchBody>('POST', '/search', { json: query });
    expect(before.body.hits).toHaveLength(0);
    const lighthouse = await upload({
      title: `Lumenhall${token} Lighthouse`,
      text: `The Lumenhall${token} lighthouse was lit in 1902.`,
    });
    await waitFor(lighthouse, indexed);
    const after = await callApi<SearchBody>('POST', '/search', { json: query });
    expect(after.body.cached).toBe(false);
    expect(after.body.hits.map((hit) => hit.documentId)).toContain(lighthouse);
    await callApi('DELETE', `/documents/${lighthouse}`);
  });

  it('searches Cypher- and filter-looking strings as text and changes nothing', async () => {
    for (const query of [
      'MATCH (n) DETACH DELETE n //',
      `${founder}' }) MATCH (e) RETURN e //`,
      '{"workspaceId": {"$ne": null}} OR 1=1 --',
    ]) {
      const response = await search({ query, mode: 'auto' });
      expect(response.status).toBe(200);
    }
    // Not a domain of the workspace: refused, and the text never reaches a filter.
    const injectedDomain = await search({ domainId: '" OR workspaceId != "', mode: 'hybrid' });
    expect(injectedDomain.status).toBe(400);
    const still = await search({ mode: 'keyword', limit: 10 });
    expect(still.body.hits.map((hit) => hit.documentId)).toContain(ids.bridge);
  });

  it.each([
    [{ query: '' }, 'query must not be empty or whitespace'],
    [{ query: ' \n\t ' }, 'query must not be empty or whitespace'],
    [{}, 'query is required'],
    [{ query: 42 }, 'query must be a string'],
    [{ query: 'x'.repeat(2_001) }, 'query must be at most 2000 characters'],
    [{ query: 'x', limit: 0 }, 'limit must be between 1 and 100'],
    [{ query: 'x', limit: 101 }, 'limit must be between 1 and 100'],
    [{ query: 'x', limit: 'ten' }, 'limit must be a number'],
    [{ query: 'x', limit: 1.5 }, 'limit must be a whole number'],
    [{ query: 'x', hops: -1 }, 'hops must be between 0 and 3'],
    [{ query: 'x', hops: 4 }, 'hops must be between 0 and 3'],
    [{ query: 'x', hops: '2' }, 'hops must be a number'],
    [{ query: 'x', mode: 'semantic' }, 'mode must be one of'],
    [{ query: 'x', domainId: '' }, 'domainId must not be empty'],
    [{ query: 'x', filters: { documentIds: ['nope'] } }, 'must be a document id'],
    [{ query: 'x', filters: { types: ['alien'] } }, 'must be one of'],
    [{ query: 'x', unknown: true }, 'Unrecognized key'],
  ])('answers 400 to %j', async (body, message) => {
    const response = await callApi<{ message: string | string[] }>('POST', '/search', {
      json: body,
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain(message);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const response = await callApi('POST', '/search', {
      body: '{"query": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
  });
});

describe('entities and the graph', () => {
  const founderName = `Orsel Vantrim${token}`;
  const guild = `Caskwell${token} Guild`;
  let founderKey = '';

  beforeAll(async () => {
    const response = await callApi<{ id: string }>('POST', '/documents', {
      json: {
        title: founderName,
        text: `${founderName} founded the ${guild} in Amberlay${token}.`,
      },
    });
    await waitFor(response.body.id, indexed);
  });

  it('finds entities by name and shows one with its documents', async () => {
    const found = await callApi<{ entities: { key: string; name: string; mentions: number }[] }>(
      'GET',
      `/entities?query=${encodeURIComponent(`Vantrim${token}`)}`,
    );
    expect(found.status).toBe(200);
    const entity = found.body.entities.find((candidate) => candidate.name === founderName);
    expect(entity).toBeDefined();
    founderKey = entity!.key;

    const detail = await callApi<{ documents: { title: string }[]; relations: unknown[] }>(
      'GET',
      `/entities/${encodeURIComponent(founderKey)}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body.documents.map((document) => document.title)).toContain(founderName);
    expect(detail.body.relations.length).toBeGreaterThan(0);
  });

  it('draws the neighbourhood of an entity', async () => {
    const response = await callApi<{
      nodes: { id: string; label: string }[];
      edges: { source: string; target: string }[];
    }>('GET', `/graph/neighborhood?entityId=${encodeURIComponent(founderKey)}&hops=1`);
    expect(response.status).toBe(200);
    expect(response.body.nodes.map((node) => node.label)).toContain(guild);
    const nodeIds = new Set(response.body.nodes.map((node) => node.id));
    for (const edge of response.body.edges) {
      expect(nodeIds.has(edge.source) && nodeIds.has(edge.target)).toBe(true);
    }
  });

  it.each([
    ['/entities', 400],
    ['/entities?query=%20', 400],
    ['/graph/neighborhood', 400],
    ['/graph/neighborhood?entityId=x&hops=9', 400],
    ['/graph/neighborhood?entityId=x&hops=two', 400],
    [`/entities/${encodeURIComponent(`no such entity ${token}`)}`, 404],
    [`/graph/neighborhood?entityId=${encodeURIComponent(`nothing ${token}`)}`, 404],
  ])('GET %s → %i', async (path, status) => {
    expect((await callApi('GET', path)).status).toBe(status);
  });
});
