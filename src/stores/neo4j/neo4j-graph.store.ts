import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import neo4j, { Driver, ManagedTransaction } from 'neo4j-driver';
import { CairnConfig } from '../../config/config';
import { InjectConfig } from '../../config/config.module';
import { boltPort, disableNagleOnBoltSockets } from './bolt-no-delay';
import { isWorkspaceId } from '../../common/ids';
import { cypherAttributes, inClientSpan } from '../../observability/spans';
import { checkCypherScope, CypherSyntaxError } from './cypher-scope';

export type GraphQueryParams = { workspaceId: string } & Record<string, unknown>;
export type GraphAccessMode = 'read' | 'write';

/** Statements inside one transaction, all bound to the transaction's workspace. */
export interface ScopedGraphTransaction {
  readonly workspaceId: string;
  run<T = Record<string, unknown>>(cypher: string, params?: Record<string, unknown>): Promise<T[]>;
}

export class UnscopedGraphQueryError extends Error {
  constructor(reason: string) {
    super(`Refusing graph query: ${reason}`);
    this.name = 'UnscopedGraphQueryError';
  }
}

/** Full-text index of entity names and aliases (with the workspace id, to query one workspace). */
export const ENTITY_NAMES_INDEX = 'entity_names';

/**
 * Uniqueness per workspace: the same id or entity key may exist in two workspaces.
 * Composite property uniqueness constraints are available in Neo4j 5 Community
 * (node key constraints are not, so these do not also demand the properties exist).
 */
export const graphSchemaStatements: readonly string[] = [
  'CREATE CONSTRAINT document_workspace_id IF NOT EXISTS FOR (n:Document) REQUIRE (n.workspaceId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT chunk_workspace_id IF NOT EXISTS FOR (n:Chunk) REQUIRE (n.workspaceId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT domain_workspace_id IF NOT EXISTS FOR (n:Domain) REQUIRE (n.workspaceId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT entity_workspace_key IF NOT EXISTS FOR (n:Entity) REQUIRE (n.workspaceId, n.key) IS UNIQUE',
  'CREATE CONSTRAINT smoke_record_workspace_id IF NOT EXISTS FOR (n:SmokeRecord) REQUIRE (n.workspaceId, n.id) IS UNIQUE',
  // Whole-workspace scans (graph traversal seeds, deletes) filter on workspaceId alone.
  'CREATE INDEX entity_workspace IF NOT EXISTS FOR (n:Entity) ON (n.workspaceId)',
  'CREATE INDEX chunk_workspace IF NOT EXISTS FOR (n:Chunk) ON (n.workspaceId)',
  // A document's chunks and the relations it evidences are found by document id (delete, counts).
  'CREATE INDEX chunk_workspace_document IF NOT EXISTS FOR (n:Chunk) ON (n.workspaceId, n.documentId)',
  'CREATE INDEX related_to_document IF NOT EXISTS FOR ()-[r:RELATED_TO]-() ON (r.documentId)',
  // Search links a query's phrases to entities by alias and by shared words without holding the
  // workspace's names in memory. Lucene tokenises the workspace id too: queries require it as a
  // phrase, so that another workspace's names never crowd out this one's.
  `CREATE FULLTEXT INDEX ${ENTITY_NAMES_INDEX} IF NOT EXISTS FOR (n:Entity) ON EACH [n.workspaceId, n.name, n.aliases]
     OPTIONS {indexConfig: {\`fulltext.analyzer\`: 'standard-no-stop-words'}}`,
];

@Injectable()
export class Neo4jGraphStore implements OnModuleDestroy {
  private readonly logger = new Logger(Neo4jGraphStore.name);
  readonly driver: Driver;

  /** Every statement this store ran, when recording (tests: recordStatements()). */
  private statementLog: Set<string> | null = null;

  /** Starts keeping every statement run from now on; returns the live set. */
  recordStatements(): ReadonlySet<string> {
    this.statementLog ??= new Set();
    return this.statementLog;
  }

  constructor(@InjectConfig() config: CairnConfig) {
    // Local Neo4j runs without auth: an empty password means "send no credentials".
    const auth = config.NEO4J_PASSWORD
      ? neo4j.auth.basic(config.NEO4J_USER, config.NEO4J_PASSWORD)
      : undefined;
    disableNagleOnBoltSockets(boltPort(config.NEO4J_URL));
    // The driver reconnects by itself: broken pooled connections are dropped and replaced.
    this.driver = neo4j.driver(config.NEO4J_URL, auth, {
      // Plain JS numbers: Cairn's counts and offsets stay far below 2^53.
      disableLosslessIntegers: true,
      connectionTimeout: 3_000,
      connectionAcquisitionTimeout: 5_000,
      maxTransactionRetryTime: 10_000,
      logging: {
        level: 'warn',
        logger: (level, message) => this.logger.warn(`[${level}] ${message}`),
      },
    });
  }

  /**
   * Runs one parametrised Cypher statement in a managed transaction (retried on transient
   * errors, so statements must be idempotent, e.g. MERGE). Refuses anything not scoped to a
   * workspace: params.workspaceId must be a valid id and the statement must use $workspaceId.
   */
  async run<T = Record<string, unknown>>(
    cypher: string,
    params: GraphQueryParams,
    mode: GraphAccessMode = 'write',
  ): Promise<T[]> {
    assertScoped(cypher, params);
    this.statementLog?.add(cypher);
    return inClientSpan('neo4j.run', cypherAttributes(cypher, params.workspaceId), async () => {
      const session = this.driver.session({
        defaultAccessMode: mode === 'read' ? neo4j.session.READ : neo4j.session.WRITE,
      });
      try {
        const work = (tx: ManagedTransaction) => tx.run(cypher, params);
        const result =
          mode === 'read' ? await session.executeRead(work) : await session.executeWrite(work);
        return result.records.map((record) => record.toObject() as T);
      } finally {
        await session.close();
      }
    });
  }

  /**
   * Several statements in one managed transaction (all or nothing, retried as a whole on
   * transient errors), each given $workspaceId automatically and checked like run().
   */
  async transaction<T>(
    workspaceId: string,
    work: (tx: ScopedGraphTransaction) => Promise<T>,
    mode: GraphAccessMode = 'write',
  ): Promise<T> {
    assertWorkspaceId(workspaceId);
    const attributes = { 'db.system': 'neo4j', 'cairn.workspace_id': workspaceId };
    return inClientSpan('neo4j.transaction', attributes, async () => {
      const session = this.driver.session({
        defaultAccessMode: mode === 'read' ? neo4j.session.READ : neo4j.session.WRITE,
      });
      try {
        const unitOfWork = (tx: ManagedTransaction) =>
          work({
            workspaceId,
            run: <R>(cypher: string, params: Record<string, unknown> = {}) => {
              const scopedParams = { ...params, workspaceId };
              assertScoped(cypher, scopedParams);
              this.statementLog?.add(cypher);
              // One span per statement, inside the transaction's span.
              return inClientSpan('neo4j.run', cypherAttributes(cypher, workspaceId), async () => {
                const result = await tx.run(cypher, scopedParams);
                return result.records.map((record) => record.toObject() as R);
              });
            },
          });
        return mode === 'read'
          ? await session.executeRead(unitOfWork)
          : await session.executeWrite(unitOfWork);
      } finally {
        await session.close();
      }
    });
  }

  async ensureSchema(): Promise<void> {
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE });
    try {
      // One statement per transaction (schema changes cannot share one). Managed transactions
      // retry the deadlocks Neo4j reports when another Cairn process creates the same schema.
      for (const statement of graphSchemaStatements) {
        await session.executeWrite((tx) => tx.run(statement));
      }
    } finally {
      await session.close();
    }
  }

  async ping(): Promise<void> {
    // A fresh auto-commit query rather than verifyConnectivity: it proves Bolt answers queries.
    const session = this.driver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      await session.run('RETURN 1 AS ok');
    } finally {
      await session.close();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.driver.close();
  }
}

/** Statements already checked (the repositories run a few dozen distinct ones many times). */
const checkedStatements = new Map<string, string[]>();
const CHECKED_STATEMENTS_KEPT = 1_000;

/** The structural problems of a statement (cypher-scope.ts); a statement it cannot read is refused. */
export function scopeProblems(cypher: string): string[] {
  let problems = checkedStatements.get(cypher);
  if (!problems) {
    try {
      problems = checkCypherScope(cypher).problems;
    } catch (error) {
      if (!(error instanceof CypherSyntaxError)) throw error;
      problems = [error.message];
    }
    if (checkedStatements.size >= CHECKED_STATEMENTS_KEPT) checkedStatements.clear();
    checkedStatements.set(cypher, problems);
  }
  return problems;
}

/**
 * Refuses a statement unless params.workspaceId is a valid id, the statement uses $workspaceId,
 * and every node pattern it matches, merges or creates is bound to it (cypher-scope.ts).
 */
export function assertScoped(cypher: string, params: Partial<GraphQueryParams> | undefined): void {
  assertWorkspaceId(params?.workspaceId);
  if (!/\$workspaceId\b/.test(cypher)) {
    throw new UnscopedGraphQueryError('the statement does not use $workspaceId');
  }
  const problems = scopeProblems(cypher);
  if (problems.length > 0) {
    throw new UnscopedGraphQueryError(
      `a node pattern is not bound to $workspaceId: ${problems.join('; ')}`,
    );
  }
}

function assertWorkspaceId(workspaceId: unknown): void {
  if (workspaceId === undefined || workspaceId === null || workspaceId === '') {
    throw new UnscopedGraphQueryError('params.workspaceId is missing');
  }
  if (!isWorkspaceId(workspaceId)) {
    throw new UnscopedGraphQueryError(
      `params.workspaceId ${JSON.stringify(workspaceId)} is not a workspace id`,
    );
  }
}
