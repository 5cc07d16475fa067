// Runs only the `general` task queue, for deployments that scale each queue on its own.
import { main } from './bootstrap';

main(['general']);
