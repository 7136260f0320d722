/** Prints the README's configuration table from the config schema: `npm run config:table`. */
import { z } from 'zod';
import { configSchema } from './schema';

function defaultOf(schema: z.ZodType): string {
  if (schema instanceof z.ZodDefault) {
    const value: unknown = schema.def.defaultValue;
    return `\`${String(value)}\``;
  }
  if (schema instanceof z.ZodOptional) return '(unset)';
  return '**required**';
}

export function configTable(): string {
  const rows = Object.entries(configSchema.shape).map(
    ([name, schema]) => `| \`${name}\` | ${defaultOf(schema)} | ${schema.description ?? ''} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  process.stdout.write(`${configTable()}\n`);
}
