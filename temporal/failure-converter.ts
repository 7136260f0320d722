// Loaded by path into both the worker and the workflow sandbox: keep it free of I/O imports.
import { DefaultFailureConverter } from '@temporalio/common';

/** Failure messages and stack traces go through the payload codec too: they can quote data. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
