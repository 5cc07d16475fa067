// Runs only the `storage` task queue, for deployments that scale each queue on its own.
import { main } from './bootstrap';

main(['storage']);
