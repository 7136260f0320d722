// @ts-check
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins.
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'mongoose',
  'mongodb',
  'express',
  'pino',
  'pino-http',
  'supertest',
  'axios',
  'undici',
  '@temporalio/worker',
  '@temporalio/client',
  '@temporalio/activity',
  '@temporalio/testing',
];

/** What every application layer may use: configuration, metrics, secrets, the database. */
const base = ['config', 'observability', 'security', 'db'];
/**
 * The import boundaries of ARCHITECTURE.md's folder table: which engine folders each folder may
 * import at run time. Type-only imports are free between engine folders (they vanish at build),
 * except from domain/, which imports nothing of the engine, not even a type; nothing in production
 * code may import the simulator, the dev tools or the tests.
 */
const layers = {
  config: [],
  // config/secret-names.ts: tracing hides what the logs hide.
  observability: ['config'],
  security: ['config'],
  connectwise: ['config'],
  domain: [],
  db: ['config', 'security'],
  // domain/ is pure (no I/O, no Node built-ins): workflows may run its rules; the bundling test checks.
  workflows: ['domain'],
  temporal: ['config', 'security', 'workflows', 'db'],
  services: [...base, 'connectwise', 'domain', 'temporal', 'workflows'],
  activities: [...base, 'connectwise', 'domain', 'services', 'workflows'],
  api: [...base, 'connectwise', 'domain', 'services', 'temporal', 'workflows'],
  worker: [...base, 'services', 'temporal', 'workflows', 'activities'],
  simulator: [],
};
const engineFolders = Object.keys(layers);
const anywhere = [...engineFolders, 'simulator', 'dev'];
/** @param {string[]} from @param {string[]} to */
const policy = (from, to) => ({
  from: { element: { types: { anyOf: from } } },
  allow: { to: { element: { types: { anyOf: to } } } },
});

/** Packages production images do not install (`npm prune --omit=dev`): only dev/, tests, simulator. */
const devOnlyPackages = Object.keys(
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).devDependencies,
);
const devOnlyImport = (name) => ({
  name,
  message: `${name} is a dev dependency: production code may not import it (the simulator, dev/ and tests may).`,
  allowTypeImports: true,
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.data/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Express 5 routes rejected promises to the error handler, so async handlers are fine there.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': [
        ...anywhere.map((type) => ({ type, pattern: type, partialMatch: false })),
        { type: 'test', pattern: 'test', partialMatch: false },
        { type: 'bench', pattern: 'bench', partialMatch: false },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            '{{from.type}}/ may not import {{to.type}}/ at run time (ARCHITECTURE.md, folder table)',
          policies: [
            ...Object.entries(layers).map(([from, allow]) => policy([from], [from, ...allow])),
            // domain/ is the bottom layer for types too: its types live in it.
            {
              ...policy(
                engineFolders.filter((f) => f !== 'domain'),
                engineFolders,
              ),
              dependency: { kind: 'type' },
            },
            policy(['dev'], anywhere),
            policy(['test', 'bench'], [...anywhere, 'test', 'bench']),
          ],
        },
      ],
    },
  },
  {
    files: engineFolders
      .filter((f) => f !== 'simulator' && f !== 'workflows')
      .map((f) => `${f}/**/*.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: devOnlyPackages.map(devOnlyImport) },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...forbiddenInWorkflows.map((name) => ({
              name,
              message:
                'Workflow code must stay deterministic: no Node built-ins or I/O packages under workflows/.',
            })),
            ...devOnlyPackages.filter((p) => !forbiddenInWorkflows.includes(p)).map(devOnlyImport),
          ],
          patterns: [
            {
              group: [
                'activities',
                'db',
                'api',
                'worker',
                'connectwise',
                'services',
                'security',
                'config',
                'simulator',
                'temporal',
              ].flatMap((dir) => [`../${dir}`, `../${dir}/*`]),
              allowTypeImports: true,
              message: 'Workflows may import only types from I/O layers.',
            },
          ],
        },
      ],
    },
  },
  {
    // HTTP response bodies in tests are untyped JSON; the assertions are the type check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // The partner console (a browser app, its own tsconfig): browser globals, the rules of hooks.
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['dev/**/*.ts', 'bench/**/*.ts', 'simulator/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
