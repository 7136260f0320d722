import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { CW_DATE_RULE, isCwDate } from './dates';
import { deref, loadSpec, maxLengths, schema, type JsonSchema } from './openapi';

/** A problem with one PATCH value, in CW's field-error terms. */
export interface ValueProblem {
  code: 'InvalidField' | 'MaxLengthField';
  field: string;
  message: string;
}

const SPEC_ID = 'cw-components.json';
const INT32 = 2 ** 31;

let ajv: Ajv | undefined;

/**
 * One ajv over the contract's schemas, with the formats the contract uses. `date-time` is CW's own
 * (`yyyy-MM-ddTHH:mm:ssZ`), so PATCH refuses milliseconds and offsets exactly as writes.ts does for
 * bodies; OpenAPI's `nullable` is ajv's own keyword.
 */
function instance(): Ajv {
  if (ajv) return ajv;
  const a = new Ajv({ allErrors: true, strict: false });
  a.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32,
  });
  a.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  a.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  a.addFormat('date-time', { type: 'string', validate: isCwDate });
  a.addSchema({ $id: SPEC_ID, components: loadSpec().components });
  ajv = a;
  return a;
}

/** JSON pointer (into the contract) to the schema at a patch path, following `$ref`s on the way. */
function pointerAt(
  schemaName: string,
  segments: string[],
): { pointer: string; target: JsonSchema } {
  let pointer = `#/components/schemas/${schemaName}`;
  let current: JsonSchema = schema(schemaName);
  for (const seg of segments) {
    if (current.$ref) pointer = current.$ref;
    const next = deref(current).properties?.[seg];
    if (!next) throw new Error(`no field ${segments.join('/')} on ${schemaName}`);
    pointer += `/properties/${seg}`;
    current = next;
  }
  return { pointer, target: deref(current) };
}

const cache = new Map<string, { validate: ValidateFunction; target: JsonSchema }>();

function validatorFor(schemaName: string, segments: string[]) {
  const key = `${schemaName}:${segments.join('/')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { pointer, target } = pointerAt(schemaName, segments);
  // The contract keeps max lengths in descriptions (" Max length: 100;"); they bind top-level fields.
  const max = segments.length === 1 ? maxLengths(schemaName).get(segments[0] ?? '') : undefined;
  const validate = instance().compile({
    allOf: [{ $ref: `${SPEC_ID}${pointer}` }],
    ...(max === undefined ? {} : { maxLength: max }),
  });
  const entry = { validate, target };
  cache.set(key, entry);
  return entry;
}

function describe(field: string, e: ErrorObject): ValueProblem {
  if (e.keyword === 'maxLength') {
    const limit = (e.params as { limit: number }).limit;
    return {
      code: 'MaxLengthField',
      field,
      message: `${field} must be a string with a maximum length of ${limit}.`,
    };
  }
  if (e.keyword === 'format' && (e.params as { format: string }).format === 'date-time') {
    return { code: 'InvalidField', field, message: `${field} ${CW_DATE_RULE}.` };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return {
      code: 'InvalidField',
      field,
      message: `${field} must be equal to one of the allowed values: ${allowed.join(', ')}`,
    };
  }
  return { code: 'InvalidField', field, message: `${field} ${e.message ?? 'is invalid'}` };
}

/**
 * Checks a PATCH `value` against the schema of the field its path names (type, enum, format,
 * nullable, max length), so a PATCH is refused where a POST with the same value would be. `null` is
 * taken only where the contract says `nullable` (even for an enum, whose list has no null).
 */
export function patchValueProblems(
  schemaName: string,
  segments: string[],
  value: unknown,
): ValueProblem[] {
  const { validate, target } = validatorFor(schemaName, segments);
  if (value === null && target.nullable === true) return [];
  if (validate(value)) return [];
  const base = segments.join('/');
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== 'allOf')
    .map((e) => describe([base, ...e.instancePath.split('/').filter(Boolean)].join('/'), e));
}
