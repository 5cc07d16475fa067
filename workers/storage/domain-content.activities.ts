import { chunkIdFor } from '../../src/documents/document-ids';
import type { DomainGraphRepository } from '../../src/domains/domain-graph.repository';
import { domainManifestKey, domainOverviewKey } from '../../src/domains/domain-keys';
import type { DomainsRepository } from '../../src/domains/domains.repository';
import type { DomainOverview, OverviewSummary } from '../../src/domains/domain.types';
import { draftOverview, type DraftChunk } from '../../src/domains/overview-draft';
import type { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import type { ChunkVectorIndex } from '../../src/knowledge/chunk-vector.index';
import { writeJsonArtifact } from '../artifact-io';

export interface DomainContentDependencies {
  domains: DomainsRepository;
  graph: DomainGraphRepository;
  blobs: S3BlobStore;
  /** Where the member documents' chunk texts are read. */
  chunks: Pick<ChunkVectorIndex, 'chunksOf'>;
  now?: () => Date;
}

interface DomainRef {
  workspaceId: string;
  domainId: string;
}

/**
 * The domain's knowledge base (its Neo4j node linked to its documents, its manifest under
 * ws/{workspace}/domains/{id}/ in MinIO) and its drafted overview. Both are rewritten from
 * Postgres's membership each time, so a retry or a second run gives the same objects.
 */
export const createDomainContentActivities = (deps: DomainContentDependencies) => ({
  async createDomainKnowledgeBase(input: DomainRef): Promise<{ linked: number; members: number }> {
    const domain = await deps.domains.findById(input.workspaceId, input.domainId);
    if (!domain) throw new Error(`domain ${input.domainId} not found`);
    const documents = await deps.domains.documents(input.workspaceId, input.domainId);
    const linked = await deps.graph.linkDocuments(
      input.workspaceId,
      { id: domain.id, name: domain.name },
      documents.map((document) => document.documentId),
    );
    await writeJsonArtifact(deps.blobs, domainManifestKey(input.workspaceId, input.domainId), {
      id: domain.id,
      workspaceId: domain.workspaceId,
      name: domain.name,
      description: domain.description,
      mode: domain.mode,
      seedTopics: domain.seedTopics,
      documents: documents.map(({ documentId, source, reason }) => ({
        documentId,
        source,
        reason,
      })),
    });
    return { linked, members: documents.length };
  },

  /** Drafts revision `revision` of the overview from the graph and stores it in MinIO. */
  async draftDomainOverview(
    input: DomainRef & { revision: number; comments: string[] },
  ): Promise<OverviewSummary> {
    const { workspaceId, domainId, revision } = input;
    const domain = await deps.domains.findById(workspaceId, domainId);
    if (!domain) throw new Error(`domain ${domainId} not found`);
    const members = await deps.domains.documents(workspaceId, domainId);
    const subgraph = await deps.graph.subgraph(workspaceId, domainId);
    const linked = new Set(await deps.graph.linkedDocumentIds(workspaceId, domainId));

    // Only chunks that mention an entity can define one; read each document's chunks once.
    const wantedChunks = new Set(subgraph.mentions.map((mention) => mention.chunkId));
    const chunks: DraftChunk[] = [];
    for (const member of members) {
      if (!linked.has(member.documentId)) continue;
      for (const chunk of await deps.chunks.chunksOf(workspaceId, member.documentId)) {
        const chunkId = chunkIdFor(member.documentId, chunk.ord);
        if (!wantedChunks.has(chunkId)) continue;
        chunks.push({
          chunkId,
          documentId: member.documentId,
          documentTitle: member.title,
          start: chunk.start,
          text: chunk.text,
        });
      }
    }
    const draft = draftOverview({ ...subgraph, chunks });
    const overview: DomainOverview = {
      domainId,
      workspaceId,
      name: domain.name,
      description: domain.description,
      revision,
      generatedAt: (deps.now?.() ?? new Date()).toISOString(),
      addressedComments: input.comments,
      documents: members.map((member) => ({
        id: member.documentId,
        title: member.title,
        source: member.source,
        reason: member.reason,
      })),
      ...draft,
    };
    const key = domainOverviewKey(workspaceId, domainId, revision);
    await writeJsonArtifact(deps.blobs, key, overview);
    await deps.domains.setOverview(workspaceId, domainId, key, revision);
    return {
      key,
      revision,
      documentCount: members.length,
      entityCount: subgraph.entities.length,
      glossaryCount: draft.glossary.length,
      relationCount: draft.relations.length,
      clusterCount: draft.clusters.length,
      topEntities: draft.keyEntities.slice(0, 5).map((entity) => entity.name),
    };
  },
});
