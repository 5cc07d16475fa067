// Runs the queues listed in CAIRN_WORKER_QUEUES (default: general,ai,storage) in one process.
// First: tracing instruments pg, ioredis and http as they load.
import './tracing';
import { main } from './bootstrap';

main();
