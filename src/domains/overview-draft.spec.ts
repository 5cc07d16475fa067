import { definingSentence, draftOverview, type DraftInput } from './overview-draft';
import { documentWorkflowId as apiDocumentWorkflowId } from '../documents/document-ids';
import { documentWorkflowId } from '../pipeline/workflow-ids';

const input: DraftInput = {
  entities: [
    { key: 'org:acme', name: 'Acme', type: 'organization' },
    { key: 'per:ada', name: 'Ada Lovelace', type: 'person' },
    { key: 'loc:paris', name: 'Paris', type: 'location' },
    { key: 'org:zeta', name: 'Zeta', type: 'organization' },
    { key: 'org:omega', name: 'Omega', type: 'organization' },
  ],
  mentions: [
    { entityKey: 'org:acme', chunkId: 'd1:0', surface: 'Acme' },
    { entityKey: 'org:acme', chunkId: 'd1:1', surface: 'ACME' },
    { entityKey: 'per:ada', chunkId: 'd1:0', surface: 'Ada Lovelace' },
    { entityKey: 'loc:paris', chunkId: 'd1:1', surface: 'Paris' },
    { entityKey: 'org:zeta', chunkId: 'd1:1', surface: 'Zeta' },
    { entityKey: 'org:omega', chunkId: 'd1:1', surface: 'Omega' },
  ],
  relations: [
    { source: 'per:ada', target: 'org:acme', predicate: 'founded', weight: 1 },
    { source: 'org:acme', target: 'loc:paris', predicate: 'located_in', weight: 1 },
    { source: 'per:ada', target: 'org:acme', predicate: 'founded', weight: 1 },
    { source: 'org:zeta', target: 'org:omega', predicate: 'partner_of', weight: 1 },
  ],
  chunks: [
    {
      chunkId: 'd1:0',
      documentId: 'd1',
      documentTitle: 'Doc',
      start: 100,
      text: 'Short. Ada Lovelace founded Acme to build engines.',
    },
    {
      chunkId: 'd1:1',
      documentId: 'd1',
      documentTitle: 'Doc',
      start: 300,
      text: 'ACME is based in Paris and works with Zeta. Omega partners with Zeta on research.',
    },
  ],
};

describe('draftOverview', () => {
  const draft = draftOverview(input);

  it('ranks the hub entity first and normalises importance to 1', () => {
    expect(draft.keyEntities[0]).toMatchObject({ key: 'org:acme', importance: 1, degree: 2 });
    expect(draft.keyEntities).toHaveLength(5);
  });

  it('quotes a defining sentence verbatim with offsets into the document', () => {
    const acme = draft.glossary.find((entry) => entry.term === 'Acme');
    expect(acme?.definition).toBe('Ada Lovelace founded Acme to build engines.');
    expect(acme?.source).toMatchObject({ documentId: 'd1', chunkId: 'd1:0', start: 107 });
    const chunk = input.chunks[0];
    expect(chunk.text.slice(acme!.source.start - 100, acme!.source.end - 100)).toBe(
      acme!.definition,
    );
  });

  it('merges repeated relations and counts their evidence', () => {
    const founded = draft.relations.find((relation) => relation.predicate === 'founded');
    expect(founded).toMatchObject({ source: 'Ada Lovelace', target: 'Acme', evidenceCount: 2 });
  });

  it('finds the two connected groups as clusters', () => {
    const clusters = draft.clusters.map((cluster) => [...cluster.entities].sort());
    expect(clusters).toEqual(
      expect.arrayContaining([
        ['Acme', 'Ada Lovelace', 'Paris'],
        ['Omega', 'Zeta'],
      ]),
    );
  });

  it('is deterministic and copes with an empty graph', () => {
    expect(draftOverview(input)).toEqual(draft);
    expect(draftOverview({ entities: [], mentions: [], relations: [], chunks: [] })).toEqual({
      keyEntities: [],
      glossary: [],
      relations: [],
      clusters: [],
    });
  });
});

describe('definingSentence', () => {
  it('skips fragments and matches case-insensitively', () => {
    expect(definingSentence('Acme. The acme company makes rockets!', ['Acme'])).toEqual({
      text: 'The acme company makes rockets!',
      start: 6,
      end: 37,
    });
    expect(definingSentence('Nothing here at all, really.', ['Acme'])).toBeUndefined();
  });
});

describe('workflow ids', () => {
  it('name document workflows exactly as the API does', () => {
    expect(documentWorkflowId('ws', 'doc')).toBe(apiDocumentWorkflowId('ws', 'doc'));
  });
});
