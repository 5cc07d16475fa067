import type { PostgresStore } from '../../src/stores/postgres/postgres.store';
import type { RedisStore } from '../../src/stores/redis/redis.store';
import type { EngineCheck, SmokeInput } from '../../src/pipeline/smoke.types';
import { TASK_QUEUES } from '../../src/pipeline/task-queues';

export const createGeneralSmokeActivities = (postgres: PostgresStore, redis: RedisStore) => ({
  async probePostgres({ workspaceId, probeId }: SmokeInput): Promise<EngineCheck> {
    const value = `probe ${probeId}`;
    await postgres.queryInWorkspace(
      workspaceId,
      `INSERT INTO smoke_records (workspace_id, id, value) VALUES ($1, $2, $3)
       ON CONFLICT (workspace_id, id) DO UPDATE SET value = EXCLUDED.value`,
      [workspaceId, probeId, value],
    );
    const rows = await postgres.queryInWorkspace<{ value: string }>(
      workspaceId,
      'SELECT value FROM smoke_records WHERE workspace_id = $1 AND id = $2',
      [workspaceId, probeId],
    );
    return check('postgres', rows[0]?.value === value, 'row written and read back');
  },

  async probeRedis({ workspaceId, probeId }: SmokeInput): Promise<EngineCheck> {
    const key = `cairn:${workspaceId}:smoke:${probeId}`;
    const value = `probe ${probeId}`;
    await redis.client.set(key, value, 'EX', 600);
    const readBack = await redis.client.get(key);
    await redis.client.del(key);
    return check('redis', readBack === value, 'key written, read back and deleted');
  },
});

function check(engine: EngineCheck['engine'], ok: boolean, detail: string): EngineCheck {
  if (!ok) throw new Error(`${engine} probe read back something else than it wrote`);
  return { engine, taskQueue: TASK_QUEUES.general, ok, detail };
}
