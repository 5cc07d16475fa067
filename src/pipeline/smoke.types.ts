// What the smoke workflow and its activities exchange; apart so that the activities need not
// import the workflow that imports them.
export interface SmokeInput {
  workspaceId: string;
  /** Unique per run: every engine gets one record under this id. */
  probeId: string;
}

export interface EngineCheck {
  engine: 'postgres' | 'redis' | 'neo4j' | 'weaviate' | 'minio' | 'ai';
  taskQueue: string;
  ok: boolean;
  detail: string;
}

export interface SmokeResult {
  checks: EngineCheck[];
}
