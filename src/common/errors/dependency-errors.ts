// Errors that say a store or service Cairn depends on cannot answer right now (down, restarting,
// or too busy to hand out a connection), as opposed to a bug. The API answers them with 503 and
// Retry-After instead of 500, so that clients and load balancers retry later.

/** Socket-level failures of any driver (Node's errno codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** PostgreSQL SQLSTATEs of a server shutting down, starting up or out of connections. */
const POSTGRES_UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08006',
]);

/** Neo4j driver codes for a database that cannot be reached. */
const NEO4J_UNAVAILABLE = new Set(['ServiceUnavailable', 'SessionExpired']);

const MESSAGES = [
  // pg-pool: no connection could be had within connectionTimeoutMillis.
  /timeout exceeded when trying to connect/i,
  // pg: the server closed the connection (restart, crash).
  /Connection terminated( unexpectedly| due to connection timeout)?/i,
  // ioredis: the connection is down and the command was not queued, or gave up retrying.
  /Connection is closed|Stream isn't writeable|Reached the max retries per request limit/i,
  // fetch-based clients (Weaviate): the request never got an answer.
  /^fetch failed$/i,
];

/** Whether `error` (or any error in its `cause` chain) means a dependency is unavailable. */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code) || NEO4J_UNAVAILABLE.has(code)) {
      return true;
    }
  }
  // gRPC (Temporal): status 14 UNAVAILABLE.
  if (code === 14 && typeof details === 'string') return true;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  return isDependencyUnavailable((error as Error & { cause?: unknown }).cause, depth + 1);
}

/** Seconds a client is asked to wait before retrying after a 503 for an unavailable dependency. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;
