// Side-effect module imported first by src/main.ts: tracing must start before http, pg and
// ioredis are loaded, so that their instrumentations can patch them.
import { startTracing } from './tracing';

startTracing('cairn-api');
