/**
 * Runs an engine entry (CPU_PROFILE_ENTRY, e.g. api/main.ts) under V8's CPU profiler and writes
 * the profile to CPU_PROFILE_FILE as it exits (Chrome DevTools and `summarizeProfile` read it).
 * `node --cpu-prof` does the same but is refused in NODE_OPTIONS, and the stack starts its apps
 * with arguments of its own.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.env.CPU_PROFILE_ENTRY;
const file = process.env.CPU_PROFILE_FILE;
if (!entry || !file) throw new Error('set CPU_PROFILE_ENTRY and CPU_PROFILE_FILE');

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
// An in-process session answers synchronously, so the profile is written before the exit ends.
process.on('exit', () =>
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(file, JSON.stringify(result.profile));
  }),
);
void import(pathToFileURL(resolve(entry)).href);
