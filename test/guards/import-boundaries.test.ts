import { flaggedLines, probePath } from '../support/eslint';

/** ARCHITECTURE.md's folder table, as the lint rule enforces it. */
test('each folder imports at run time only what the folder table allows', () => {
  const fromDomain = [
    "import { connectDatabase } from '../db';", // 1
    "import { startSimulator } from '../simulator';", // 2
    "import { createApp } from '../api/app';", // 3
    "import type { Repositories } from '../db';", // 4: not even a type (domain/ is the bottom)
    "import { createCompanySuggester } from './mapping-suggestions';", // 5: own folder
    'export { connectDatabase, startSimulator, createApp, createCompanySuggester };',
    'export type { Repositories };',
    '',
  ].join('\n');
  // Production code never imports the simulator, the dev tools or the tests.
  const fromProduction = [
    "import { startSimulator } from '../simulator';", // 1
    "import { bootstrap } from '../dev/bootstrap';", // 2
    "import { startEngine } from '../test/support/engine';", // 3
    "import { openIntegrationClient } from '../services/integration-client';", // 4: allowed
    'export { startSimulator, bootstrap, startEngine, openIntegrationClient };',
    '',
  ].join('\n');
  const sources = {
    [probePath('domain')]: fromDomain,
    [probePath('activities')]: fromProduction,
    [probePath('api')]: fromProduction,
    // Type-only imports between the other engine folders are free.
    [probePath('services')]:
      "import { createApp } from '../api/app';\nimport type { AppDeps } from '../api/app';\nexport { createApp };\nexport type { AppDeps };\n",
    [probePath('test/guards')]: fromProduction,
  };
  expect(flaggedLines(sources, 'boundaries/dependencies')).toEqual({
    [probePath('domain')]: [1, 2, 3, 4],
    [probePath('activities')]: [1, 2, 3],
    [probePath('api')]: [1, 2, 3],
    [probePath('services')]: [1],
    [probePath('test/guards')]: [],
  });
}, 120_000);
