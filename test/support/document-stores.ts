// Direct looks into the stores behind the documents API, for tests that must prove what was
// (or was not) stored: Postgres rows, MinIO blob keys, Temporal workflows.
import type { Client as TemporalClient } from '@temporalio/client';
import { Client as MinioClient } from 'minio';
import { Pool, type QueryResultRow } from 'pg';

export { testWorkspace } from './auth';

/** A read of workspace-owned rows, under the row-level security scope the API itself uses. */
export async function queryInWorkspace<R extends QueryResultRow>(
  pool: Pool,
  workspaceId: string,
  text: string,
  params: unknown[],
): Promise<R[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('cairn.workspace_id', $1, true)", [workspaceId]);
    const result = await client.query<R>(text, params);
    await client.query('COMMIT');
    return result.rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface DocumentStores {
  postgres: Pool;
  minio: MinioClient;
  bucket: string;
  close: () => Promise<void>;
}

export function connectDocumentStores(): DocumentStores {
  const endpoint = new URL(process.env.S3_ENDPOINT!);
  const postgres = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  const minio = new MinioClient({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
    useSSL: endpoint.protocol === 'https:',
    accessKey: process.env.S3_ACCESS_KEY!,
    secretKey: process.env.S3_SECRET_KEY!,
    region: process.env.S3_REGION ?? 'us-east-1',
    pathStyle: true,
  });
  return {
    postgres,
    minio,
    bucket: process.env.S3_BUCKET!,
    close: () => postgres.end(),
  };
}

export async function documentIdsOf(
  stores: DocumentStores,
  workspaceId: string,
): Promise<string[]> {
  const rows = await queryInWorkspace<{ id: string }>(
    stores.postgres,
    workspaceId,
    'SELECT id FROM documents WHERE workspace_id = $1',
    [workspaceId],
  );
  return rows.map((row) => row.id);
}

export async function rowsWithSha(
  stores: DocumentStores,
  workspaceId: string,
  sha256: string,
): Promise<number> {
  const rows = await queryInWorkspace<{ total: string }>(
    stores.postgres,
    workspaceId,
    'SELECT count(*) AS total FROM documents WHERE workspace_id = $1 AND sha256 = $2',
    [workspaceId, sha256],
  );
  return Number(rows[0].total);
}

export async function objectKeys(stores: DocumentStores, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  const stream = stores.minio.listObjectsV2(stores.bucket, prefix, true);
  for await (const item of stream as AsyncIterable<{ name?: string }>) {
    if (item.name) keys.push(item.name);
  }
  return keys;
}

export async function workflowIds(client: TemporalClient, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

/** Visibility is eventually consistent: polls until `accept` holds or the time is up. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}
