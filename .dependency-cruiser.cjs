/**
 * The import rules of Cairn's code (`npm run lint:deps`, part of `npm test`'s checks): no
 * cycles (type-only imports included), and the layers of the three trees:
 *   src/pipeline/  the kernel every tree shares (ids, task queues, search attributes, message
 *                  contracts); it imports nothing of Cairn's at run time;
 *   workflows/     deterministic workflow code: values from src/pipeline/ only, types from
 *                  anywhere (activity factories of workers/, records of src/); no Node built-ins;
 *   src/           the API and the modules the workers reuse: never workers/, and only types
 *                  (a workflow's signature) from workflows/;
 *   workers/       activities over src/'s modules.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other, even for types only, cannot be read one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pipeline-is-the-kernel',
      severity: 'error',
      comment: 'src/pipeline/ is what the trees share: it must not pull the rest in at run time.',
      from: { path: '^src/pipeline/' },
      to: {
        path: '^(src|workers|workflows)/',
        pathNot: '^src/pipeline/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-stay-deterministic',
      severity: 'error',
      comment:
        "Workflow code runs in Temporal's sandbox: values only from src/pipeline/ (types are erased).",
      from: { path: '^workflows/' },
      to: {
        path: '^(src|workers)/',
        pathNot: '^src/pipeline/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-without-node',
      severity: 'error',
      comment: 'No Node built-in in workflow code: I/O belongs in activities.',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'api-not-into-workers',
      severity: 'error',
      comment:
        'The API never imports the workers; what both need lives in src/ (or src/pipeline/).',
      from: { path: '^src/' },
      to: { path: '^workers/' },
    },
    {
      name: 'api-only-types-from-workflows',
      severity: 'error',
      comment:
        'The API starts workflows by name with their types; ids, queues and messages come from src/pipeline/.',
      from: { path: '^src/' },
      to: { path: '^workflows/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
