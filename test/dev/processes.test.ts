import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import mongoose from 'mongoose';
import { discardLines } from '../../dev/managed';
import { startFerretDb, startTemporalDevServer } from '../../dev/processes';
import { ENGINE_SEARCH_ATTRIBUTES } from '../../dev/search-attributes';

jest.setTimeout(120_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-processes-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withMongo<T>(uri: string, use: (c: mongoose.Connection) => Promise<T>): Promise<T> {
  const conn = await mongoose.createConnection(uri).asPromise();
  try {
    return await use(conn);
  } finally {
    await conn.close();
  }
}

describe('startFerretDb', () => {
  it('serves MongoDB on a free port and keeps documents across a restart on the same data dir', async () => {
    const dataDir = join(dir, 'ferretdb');
    const first = await startFerretDb({ dataDir, log: discardLines, database: 'persist_test' });
    expect(first.uri).toBe(`mongodb://127.0.0.1:${first.port}/persist_test`);
    try {
      await withMongo(first.uri, (c) => c.collection('notes').insertOne({ key: 'k1', n: 42 }));
    } finally {
      await first.stop();
    }
    expect(isAlive(first.process.pid)).toBe(false);

    const second = await startFerretDb({ dataDir, log: discardLines, database: 'persist_test' });
    try {
      const doc = await withMongo(second.uri, (c) => c.collection('notes').findOne({ key: 'k1' }));
      expect(doc?.n).toBe(42);
    } finally {
      await second.stop();
    }
  });

  it('refuses a busy port instead of probing the server that holds it', async () => {
    const blocker = await startFerretDb({ dataDir: join(dir, 'a'), log: discardLines });
    try {
      await expect(
        startFerretDb({ dataDir: join(dir, 'b'), port: blocker.port, log: discardLines }),
      ).rejects.toMatchObject({
        part: 'ferretdb',
        message: `port 127.0.0.1:${blocker.port} for ferretdb is already in use`,
      });
    } finally {
      await blocker.stop();
    }
  });
});

describe('startTemporalDevServer', () => {
  const integrationId = defineSearchAttributeKey('IntegrationId', SearchAttributeType.KEYWORD);

  it('registers the engine search attributes and keeps workflows across a restart', async () => {
    const dbFile = join(dir, 'temporal.db');
    const workflowId = `persist-${Date.now()}`;
    const first = await startTemporalDevServer({ dbFile, log: discardLines });
    expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(first.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const connection = await Connection.connect({ address: first.address });
    try {
      const listed = await connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      for (const { name, type } of ENGINE_SEARCH_ATTRIBUTES) {
        expect(listed.customAttributes[name]).toBe(encodeSearchAttributeIndexedValueType(type));
      }
      expect(ENGINE_SEARCH_ATTRIBUTES.map((k) => k.name)).toEqual(
        expect.arrayContaining(['IntegrationId', 'PartnerId', 'SyncKind', 'SyncTrigger']),
      );
      const ui = await fetch(first.uiUrl ?? '');
      expect(ui.status).toBe(200);
      await ui.body?.cancel();

      // No worker polls this queue, so the workflow simply stays Running.
      await new Client({ connection }).workflow.start('NotRegisteredAnywhere', {
        taskQueue: 'no-worker-here',
        workflowId,
        typedSearchAttributes: [{ key: integrationId, value: 'int-42' }],
      });
    } finally {
      await connection.close();
      await first.stop();
    }
    expect(isAlive(first.process.pid)).toBe(false);

    const second = await startTemporalDevServer({ dbFile, log: discardLines, headless: true });
    expect(second.uiUrl).toBeUndefined();
    const again = await Connection.connect({ address: second.address });
    try {
      const described = await new Client({ connection: again }).workflow
        .getHandle(workflowId)
        .describe();
      expect(described.status.name).toBe('RUNNING');
      expect(described.typedSearchAttributes.get(integrationId)).toBe('int-42');
    } finally {
      await again.close();
      await second.stop();
    }
  });
});
