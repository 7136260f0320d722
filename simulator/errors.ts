/** ConnectWise's error body: `{code, message, errors?}` with `errors[]` naming the resource and field. */
export interface CwFieldError {
  code: string;
  message: string;
  resource?: string;
  field?: string;
}

export interface CwErrorBody {
  code: string;
  message: string;
  errors?: CwFieldError[];
}

/** Thrown anywhere in a request; the error handler turns it into CW's status and body. */
export class CwError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: CwFieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'CwError';
  }

  get body(): CwErrorBody {
    return this.errors
      ? { code: this.code, message: this.message, errors: this.errors }
      : { code: this.code, message: this.message };
  }
}

/** 400 `InvalidObject` the way CW reports field problems: "ticket object is invalid". */
export function invalidObject(resource: string, errors: CwFieldError[]): CwError {
  return new CwError(400, 'InvalidObject', `${resource} object is invalid`, errors);
}

export function notFound(message: string): CwError {
  return new CwError(404, 'NotFound', message);
}

export function badRequest(message: string): CwError {
  return new CwError(400, 'BadRequest', message);
}

/** Collects field errors for one resource and throws them together, as CW lists every problem. */
export class FieldErrors {
  private readonly list: CwFieldError[] = [];

  constructor(readonly resource: string) {}

  add(code: string, field: string, message: string): void {
    this.list.push({ code, message, resource: this.resource, field });
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  throwIfAny(): void {
    if (this.any) throw invalidObject(this.resource, [...this.list]);
  }
}
