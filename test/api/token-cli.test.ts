import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apiTokenModel } from '../../db/models/api-token';
import { ApiTokenRepository } from '../../db/repositories/api-tokens';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { randomKey } from '../support/keys';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('token-cli');
});
afterAll(async () => {
  await db.close();
});

const cli = (args: string[]) =>
  run(join(root, 'node_modules', '.bin', 'tsx'), ['api/cli/tokens.ts', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      MONGODB_URI: db.uri,
      ENCRYPTION_KEY: randomKey(),
      CW_CLIENT_ID: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    },
  });

test('creates a partner token shown once, lists it, and revokes it', async () => {
  const created = await cli(['create', '--partner', 'acme-msp', '--name', 'portal']);
  const token = /token:\s+(cwe_\S+)/.exec(created.stdout)?.[1];
  const id = /token id:\s+(\S+)/.exec(created.stdout)?.[1];
  expect(token).toBeDefined();
  expect(await db.repos.tokens.authenticate(token!)).toMatchObject({
    kind: 'partner',
    partnerId: 'acme-msp',
  });

  const listed = await cli(['list']);
  expect(listed.stdout).toContain(id);
  expect(listed.stdout).not.toContain(token);

  await cli(['revoke', id!]);
  // Another process revoked it: a repository that has not seen the token lately refuses it.
  const fresh = new ApiTokenRepository(apiTokenModel(db.conn));
  expect(await fresh.authenticate(token!)).toBeUndefined();
}, 60_000);

test('refuses a token that is both partner and service', async () => {
  const failure = await cli(['create', '--partner', 'x', '--service', '--name', 'n']).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(failure).toMatchObject({ code: 2 });
  expect((failure as { stderr: string }).stderr).toMatch(/exactly one of --partner/);
}, 60_000);
