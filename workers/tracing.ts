// Side-effect module imported first by every worker entry point (main.ts, <queue>.worker.ts):
// tracing must start before pg, ioredis and http are loaded, so that they get instrumented.
import { startTracing } from '../src/observability/tracing';

startTracing('cairn-worker', { instrumentOnlyWhenExported: true });
