// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
// Workflow code runs in Temporal's deterministic sandbox: no I/O, no drivers, no Nest.
const forbiddenInWorkflows = [
  ...nodeBuiltins,
  ...nodeBuiltins.map((name) => `node:${name}`),
  'pg',
  'ioredis',
  'neo4j-driver',
  'weaviate-client',
  'minio',
  '@supabase/supabase-js',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'onnxruntime-node',
];

// @nestjs/common's HTTP exceptions: transport details that services must not know about.
const nestHttpExceptions = [
  'HttpException',
  'BadRequestException',
  'UnauthorizedException',
  'ForbiddenException',
  'NotFoundException',
  'MethodNotAllowedException',
  'NotAcceptableException',
  'RequestTimeoutException',
  'ConflictException',
  'GoneException',
  'PreconditionFailedException',
  'PayloadTooLargeException',
  'UnsupportedMediaTypeException',
  'UnprocessableEntityException',
  'ImATeapotException',
  'MisdirectedException',
  'InternalServerErrorException',
  'NotImplementedException',
  'BadGatewayException',
  'ServiceUnavailableException',
  'GatewayTimeoutException',
  'HttpVersionNotSupportedException',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      'infra/neo4j-launcher/**',
      'client/schema.d.ts',
      // dependency-cruiser's own configuration (CommonJS, outside the TypeScript project).
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: use activities for I/O.',
          })),
          patterns: [
            { group: ['@nestjs/*'], message: 'No Nest inside workflows.' },
            {
              group: ['../src/*', '../../src/*', '!../src/pipeline', '!../src/pipeline/*'],
              message:
                'Workflows import values only from the pipeline kernel (src/pipeline/); types from anywhere in src/.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // One error vocabulary: code throws coded CairnErrors (src/common/errors/cairn-error.ts) and
    // AllExceptionsFilter alone turns them into HTTP answers.
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    ignores: [
      'src/common/errors/**',
      '**/*.spec.ts',
      // Being rewritten this session by the search helpers; domain-scope.ts still throws Nest's.
      'src/search/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@nestjs/common',
              importNames: nestHttpExceptions,
              message:
                'Throw a CairnError (invalidInput, notFound, conflict… from src/common/errors/cairn-error).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The web console and the typed client it shares with the CLI run in browsers: DOM globals,
    // and no Node built-in (the client must run unchanged in Vite's bundle and in Node).
    files: ['web/**/*.{ts,tsx}', 'client/**/*.ts'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...nodeBuiltins.map((name) => `node:${name}`)].map((name) => ({
            name,
            message: 'Browser code: web-platform APIs only.',
          })),
        },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // CommonJS config files (jest.config.js) run in Node.
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
      },
    },
  },
  prettier,
);
