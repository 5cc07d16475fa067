// The workflow bundle's entry point: every workflow type the `general` worker runs.
export { smokeWorkflow } from './smoke.workflow';
