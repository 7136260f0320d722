import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../config/logger';

/** A real (redacting) logger whose lines the test can read back. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: sink }), lines };
}
