/** The engine's error body (api/v1/schemas.ts `errorBody`). */
interface ErrorBody {
  error?: { code?: string; message?: string; fields?: Array<{ field: string; message: string }> };
}

/**
 * An API answer of 400 or more, with the fields it names: screens show each message next to the
 * input of that field (`fieldError`), and the rest above the form.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: ReadonlyArray<{ field: string; message: string }>;
  /** The whole body, for answers that carry more than the error (e.g. a 409 with a new plan). */
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const error = (body as ErrorBody | undefined)?.error;
    super(error?.message ?? `the engine answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error?.code ?? 'error';
    this.fields = error?.fields ?? [];
    this.body = body;
  }

  /** The message for `field` (exact, or a sub-field of it such as `priorities.high`). */
  fieldError(field: string): string | undefined {
    const hit = this.fields.find((f) => f.field === field || f.field.startsWith(`${field}.`));
    return hit?.message;
  }
}

/** The message of anything thrown, for a banner. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return fields ? `${err.message} (${fields})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
