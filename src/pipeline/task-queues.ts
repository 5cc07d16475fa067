// Task queues, one per kind of work, so each can scale on its own (see ARCHITECTURE.md).
export const TASK_QUEUES = {
  /** Workflow code, notifications, bookkeeping in Postgres. */
  general: 'general',
  /** CPU-bound work: parsing, chunking, extraction, embeddings. */
  ai: 'ai',
  /** Writes to Neo4j, Weaviate and MinIO. */
  storage: 'storage',
} as const;

export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
