/**
 * The failure type of a step that found what an earlier step of its run handed it gone: a
 * Temporal reset re-ran it after the run had released its hand-offs, or a failure took them back.
 * The document workflow answers it by running the documents through the pipeline again.
 */
export const HANDOFF_MISSING = 'HandoffMissing';
