/**
 * Creates, lists and revokes API tokens.
 *   npm run token -- create --partner <partnerId> --name <label>
 *   npm run token -- create --service --name <label>
 *   npm run token -- list
 *   npm run token -- revoke <tokenId>
 * A new token is printed once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfigOrExit } from '../../config';
import { connectDatabase, createRepositories } from '../../db';
import { externalId } from '../v1/schemas';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      partner: { type: 'string' },
      service: { type: 'boolean' },
      name: { type: 'string' },
    },
  });
  const [command, arg] = positionals;
  const config = loadConfigOrExit();
  const db = await connectDatabase({ uri: config.MONGODB_URI });
  try {
    const { tokens } = await createRepositories(db);
    switch (command) {
      case 'create': {
        const name = z
          .string()
          .min(1)
          .max(100)
          .parse(values.name ?? 'unnamed');
        if (values.service === (values.partner !== undefined)) {
          throw new Error('give exactly one of --partner <partnerId> or --service');
        }
        const created = values.service
          ? await tokens.create({ kind: 'service', name })
          : await tokens.create({
              kind: 'partner',
              partnerId: externalId.parse(values.partner),
              name,
            });
        out(`token id: ${created.id}`);
        out(`token:    ${created.token}`);
        out('Store the token now: it is not shown again.');
        return 0;
      }
      case 'list':
        for (const t of await tokens.list()) {
          out(
            `${t.id}  ${t.kind.padEnd(7)}  ${(t.partnerId ?? '*').padEnd(20)}  ${t.name}${t.revokedAt ? '  (revoked)' : ''}`,
          );
        }
        return 0;
      case 'revoke':
        if (!arg) throw new Error('usage: revoke <tokenId>');
        out((await tokens.revoke(arg)) ? `revoked ${arg}` : `no active token ${arg}`);
        return 0;
      default:
        throw new Error(
          'usage: token create (--partner <id> | --service) --name <label> | list | revoke <id>',
        );
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
