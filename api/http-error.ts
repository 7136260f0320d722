export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error whose status, code and message are safe to show to the caller as they are. Its own
 * module: `service-errors.ts` makes them and `errors.ts` answers them, without a cycle.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { fields?: FieldError[]; [key: string]: unknown },
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
