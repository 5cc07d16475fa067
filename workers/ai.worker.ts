// Runs only the `ai` task queue, for deployments that scale each queue on its own.
// First: tracing instruments pg, ioredis and http as they load.
import './tracing';
import { main } from './bootstrap';

main(['ai']);
