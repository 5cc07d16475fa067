// Runs the queues listed in CAIRN_WORKER_QUEUES (default: general,ai,storage) in one process.
import { main } from './bootstrap';

main();
