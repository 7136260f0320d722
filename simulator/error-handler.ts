import type { ErrorRequestHandler } from 'express';
import { EdgeError, edgePage } from './edge';
import { CwError, type CwErrorBody, type CwFieldError } from './errors';
import { cwMediaType, matchRoute } from './openapi';
import { RESOURCES } from './resources';
import { routeTable } from './routes';

/** The shape of express-openapi-validator's HttpError (not exported as a type we can import cleanly). */
interface ValidatorError {
  status: number;
  message: string;
  path?: string;
  errors?: { path?: string; message?: string; errorCode?: string }[];
  headers?: Record<string, string>;
}

function isValidatorError(e: unknown): e is ValidatorError {
  return (
    typeof e === 'object' &&
    e !== null &&
    'status' in e &&
    Array.isArray((e as ValidatorError).errors)
  );
}

const routes = routeTable();

/** The resource name CW would put in a validation error for this request ("ticket"). */
function resourceFor(method: string, relPath: string): string {
  const template = matchRoute(method, relPath)?.template;
  const collection = template ? routes[`${method} ${template}`]?.collection : undefined;
  return collection ? RESOURCES[collection].resource : 'request';
}

/** `/body/summary` → `summary`; `/body/0/value` → `0/value`; `/query/page` → `page`. */
function fieldOf(path = ''): { location: string; field: string } {
  const [, location = '', ...rest] = path.split('/');
  return { location, field: rest.join('/') };
}

function fieldCode(errorCode = ''): string {
  if (errorCode.startsWith('required')) return 'NullValue';
  if (errorCode.startsWith('maxLength')) return 'MaxLengthField';
  return 'InvalidField';
}

/** Maps a spec-validation failure to CW's error shape. */
function fromValidator(e: ValidatorError, method: string, relPath: string): CwError {
  const headers = e.headers ?? {};
  if (e.status === 404) return new CwError(404, 'NotFound', `Cannot find resource ${relPath}`);
  if (e.status === 405) return new CwError(405, 'MethodNotAllowed', e.message, undefined, headers);
  if (e.status === 415) return new CwError(415, 'UnsupportedMediaType', e.message);
  if (e.status >= 500) {
    const details: CwFieldError[] = (e.errors ?? []).map((x) => ({
      code: 'InvalidResponse',
      message: `${x.path ?? ''} ${x.message ?? ''}`.trim(),
    }));
    return new CwError(500, 'InternalServerError', e.message, details);
  }
  const resource = resourceFor(method, relPath);
  const errors = (e.errors ?? []).map((x): CwFieldError & { location: string } => {
    const { location, field } = fieldOf(x.path);
    let name = field;
    // ajv reports a missing property on its parent: "/body/summary" is already the property path.
    if (x.errorCode?.startsWith('required') && !name)
      name = (/'([^']+)'/.exec(x.message ?? '') ?? [])[1] ?? '';
    const code = fieldCode(x.errorCode);
    const message =
      code === 'NullValue' ? `The ${name} field is required.` : `${name} ${x.message ?? ''}`.trim();
    return { location, code, message, resource, field: name };
  });
  if (errors.every((x) => x.location === 'body')) {
    return new CwError(
      400,
      'InvalidObject',
      `${resource} object is invalid`,
      errors.map(({ location: _l, ...rest }) => rest),
    );
  }
  return new CwError(
    400,
    'BadRequest',
    e.message,
    errors.map(({ location: _l, resource: _r, ...rest }) => rest),
  );
}

function isBodyParseError(e: unknown): boolean {
  return (
    typeof e === 'object' && e !== null && (e as { type?: string }).type === 'entity.parse.failed'
  );
}

/** Every error leaves in CW's `{code, message, errors?}` shape and media type, or as an edge page. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const relPath = (res.locals.relPath as string | undefined) ?? req.path;
  let cw: CwError;
  if (err instanceof CwError) cw = err;
  else if (isBodyParseError(err))
    cw = new CwError(400, 'BadRequest', 'The request body is not valid JSON.');
  else if (isValidatorError(err)) cw = fromValidator(err, req.method, relPath);
  else
    cw = new CwError(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.end();
    return;
  }
  if (cw instanceof EdgeError && cw.format !== 'json') {
    const page = edgePage(cw.status, cw.format);
    res.status(cw.status).set(cw.headers).type(page.type).send(page.body);
    return;
  }
  const body: CwErrorBody = cw.body;
  res.status(cw.status).set(cw.headers).type(cwMediaType()).send(JSON.stringify(body));
};
