import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The subset of JSON Schema / OpenAPI 3.0 schema keywords the simulator reads. */
export interface JsonSchema {
  type?: string;
  format?: string;
  nullable?: boolean;
  description?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  $ref?: string;
}

interface MediaContent {
  schema?: JsonSchema;
}

interface SpecOperation {
  operationId: string;
  parameters?: SpecParameter[];
  requestBody?: { content: Record<string, MediaContent> };
  responses: Record<string, { content?: Record<string, MediaContent> }>;
}

interface SpecParameter {
  in?: string;
  allowReserved?: boolean;
}

export interface OpenApiDoc {
  openapi: string;
  info: { version: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, SpecOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface Operation {
  method: string;
  /** The spec's path template, e.g. `/service/boards/{parentId}/statuses`. */
  template: string;
  operationId: string;
  /** Schema name of the record this operation returns (list item or single), when it has one. */
  recordSchema?: string;
  isList: boolean;
  isCount: boolean;
  /** The request body's schema (POST, PUT, PATCH). */
  requestSchema?: JsonSchema;
}

const ROOT = join(__dirname, '..');

/**
 * Where the contract lives: `CW_OPENAPI_SPEC` wins; otherwise a copy vendored into the repo, then
 * the shared folder that sits beside the clone (as on the developers' machines and in CI).
 */
export function specPath(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.CW_OPENAPI_SPEC,
    join(ROOT, 'connectwise', 'openapi.trimmed.yaml'),
    join(ROOT, '..', 'shared', 'connectwise', 'openapi.trimmed.yaml'),
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `openapi.trimmed.yaml not found; set CW_OPENAPI_SPEC (tried ${candidates.join(', ')})`,
    );
  }
  return found;
}

let cached: OpenApiDoc | undefined;

/**
 * The contract, parsed once, with one deliberate in-memory fix: `PatchOperation.value` is declared
 * `type: object` upstream, yet real ConnectWise takes scalars (`{"op":"replace","path":"quantity",
 * "value":42}`), so the type is dropped here (docs/connectwise.md §0) and patch-values.ts checks each value
 * against the schema of the field its `path` names instead.
 */
export function loadSpec(): OpenApiDoc {
  if (cached) return cached;
  const doc = parse(readFileSync(specPath(), 'utf8')) as OpenApiDoc;
  const patchOp = doc.components.schemas.PatchOperation;
  if (patchOp?.properties?.value) patchOp.properties.value = {};
  cached = doc;
  return doc;
}

/** A deep copy for express-openapi-validator (it mutates what it is given), based at `/`. */
export function validatorDoc(): OpenApiDoc {
  const copy = structuredClone(loadSpec());
  // Mounted under `/{codebase}apis/3.0`, so the router sees paths relative to the spec's base.
  copy.servers = [{ url: '/' }];
  // CW takes `fields=id,company/id` and `conditions=a/b="x"` unencoded; without allowReserved the
  // validator would refuse the `,` and `/` that every CW client sends.
  for (const item of Object.values(copy.paths)) {
    for (const op of Object.values(item)) {
      for (const param of op.parameters ?? []) if (param.in === 'query') param.allowReserved = true;
    }
  }
  return copy;
}

/** The response media type every operation declares, e.g. `...+json; version=2025.8`. */
export function cwMediaType(): string {
  return `application/vnd.connectwise.com+json; version=${loadSpec().info.version}`;
}

export function modelVersion(): string {
  return loadSpec().info.version;
}

function refName(ref: string | undefined): string | undefined {
  return ref?.replace('#/components/schemas/', '');
}

export function schema(name: string): JsonSchema {
  const s = loadSpec().components.schemas[name];
  if (!s) throw new Error(`schema ${name} not in spec`);
  return s;
}

export function deref(s: JsonSchema): JsonSchema {
  const name = refName(s.$ref);
  return name ? schema(name) : s;
}

let opsCache: Operation[] | undefined;

export function operations(): Operation[] {
  if (opsCache) return opsCache;
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(loadSpec().paths)) {
    for (const [method, op] of Object.entries(item)) {
      const ok = Object.values(op.responses)[0];
      const body = ok?.content ? Object.values(ok.content)[0]?.schema : undefined;
      const isList = body?.type === 'array';
      const recordSchema = refName(isList ? body?.items?.$ref : body?.$ref);
      const requestContent = op.requestBody ? Object.values(op.requestBody.content)[0] : undefined;
      ops.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId,
        recordSchema,
        isList,
        isCount: recordSchema === 'Count',
        requestSchema: requestContent?.schema,
      });
    }
  }
  opsCache = ops;
  return ops;
}

export interface MatchedRoute {
  template: string;
  params: Record<string, string>;
  operation?: Operation;
}

function segments(path: string): string[] {
  return path.split('/').slice(1);
}

/** How well a template fits a path: undefined if not at all; static segments beat `{params}`. */
function fit(
  template: string,
  path: string,
): { score: number; params: Record<string, string> } | undefined {
  const t = segments(template);
  const p = segments(path);
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < t.length; i++) {
    const ts = t[i] ?? '';
    const ps = p[i] ?? '';
    const param = /^\{(\w+)\}$/.exec(ts);
    if (param?.[1]) {
      if (!ps) return undefined;
      params[param[1]] = decodeURIComponent(ps);
    } else if (ts === ps) {
      score += 1;
    } else {
      return undefined;
    }
  }
  return { score, params };
}

/**
 * Finds the spec path template (and operation, when the method exists) for a request path relative
 * to `apis/3.0`. Matching is case-sensitive, stricter than CW's ASP.NET routing probably is, so a
 * client that misspells the contract's casing (`connectWiseHostedScreens` but
 * `connectwisehostedsetups`) fails here rather than depending on lenience. The trailing slash is
 * significant because the spec spells `/procurement/subcategories/` with one.
 */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  let best: { template: string; score: number; params: Record<string, string> } | undefined;
  for (const template of Object.keys(loadSpec().paths)) {
    const f = fit(template, path);
    if (f && (!best || f.score > best.score)) best = { template, ...f };
  }
  if (!best) return undefined;
  const upper = method.toUpperCase();
  const operation = operations().find((o) => o.template === best.template && o.method === upper);
  return { template: best.template, params: best.params, operation };
}

const MAX_LENGTH = /Max length: (\d+);/;
const maxLengthCache = new Map<string, Map<string, number>>();

/** Field → max length, read from the spec's descriptions (" Max length: 100;"), as CW has no maxLength keyword. */
export function maxLengths(schemaName: string): Map<string, number> {
  const hit = maxLengthCache.get(schemaName);
  if (hit) return hit;
  const out = new Map<string, number>();
  for (const [field, prop] of Object.entries(schema(schemaName).properties ?? {})) {
    const m = MAX_LENGTH.exec(prop.description ?? '');
    if (m?.[1]) out.set(field, Number(m[1]));
  }
  maxLengthCache.set(schemaName, out);
  return out;
}

/** The schema at a `/`-separated field path (`company/id`), or undefined if the record has no such field. */
export function schemaAtPath(schemaName: string, path: string[]): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema(schemaName);
  for (const segment of path) {
    if (!current) return undefined;
    current = deref(current);
    if (current.type === 'array' && current.items) current = deref(current.items);
    const props: Record<string, JsonSchema> | undefined = current.properties;
    if (props && Object.prototype.hasOwnProperty.call(props, segment)) {
      current = props[segment];
    } else if (current.additionalProperties && typeof current.additionalProperties === 'object') {
      current = current.additionalProperties;
    } else {
      return undefined;
    }
  }
  return current ? deref(current) : undefined;
}
