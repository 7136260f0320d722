import { configSchema, type Config } from './schema';

export type { Config } from './schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError naming every offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": docker-compose and shells often pass `VAR=`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = configSchema.safeParse(present);
  if (parsed.success) {
    // Rules across variables: kept here so the schema stays a plain object (the README table).
    if (parsed.data.NODE_ENV === 'production' && parsed.data.CW_ALLOW_PRIVATE_HOSTS) {
      throw new ConfigError([
        'CW_ALLOW_PRIVATE_HOSTS: must not be true when NODE_ENV is production (it lets partner-entered sites reach private addresses)',
      ]);
    }
    const codecJwt = parsed.data.TEMPORAL_UI_CODEC_JWKS_URL !== undefined;
    const missing = (['TEMPORAL_UI_CODEC_JWT_ISSUER', 'TEMPORAL_UI_CODEC_JWT_AUDIENCE'] as const)
      .filter((name) => codecJwt && parsed.data[name] === undefined)
      .map((name) => `${name}: is required when TEMPORAL_UI_CODEC_JWKS_URL is set`);
    if (missing.length > 0) throw new ConfigError(missing);
    const temporalTls = temporalTlsProblems(parsed.data);
    if (temporalTls.length > 0) throw new ConfigError(temporalTls);
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const message =
      issue.code === 'invalid_type' && present[name] === undefined
        ? 'is required but not set'
        : issue.message;
    return `${name}: ${message}`;
  });
  throw new ConfigError(problems);
}

/** For process entrypoints: a bad environment stops the process with one clear message. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** The Temporal TLS settings come in pairs and one way each (a file or the PEM text). */
function temporalTlsProblems(c: Config): string[] {
  const problems: string[] = [];
  for (const what of ['CA', 'CERT', 'KEY'] as const) {
    if (c[`TEMPORAL_TLS_${what}_FILE`] !== undefined && c[`TEMPORAL_TLS_${what}`] !== undefined)
      problems.push(`TEMPORAL_TLS_${what}: set either it or TEMPORAL_TLS_${what}_FILE, not both`);
  }
  const cert = c.TEMPORAL_TLS_CERT_FILE ?? c.TEMPORAL_TLS_CERT;
  const key = c.TEMPORAL_TLS_KEY_FILE ?? c.TEMPORAL_TLS_KEY;
  if ((cert === undefined) !== (key === undefined))
    problems.push(
      `${cert === undefined ? 'TEMPORAL_TLS_CERT_FILE' : 'TEMPORAL_TLS_KEY_FILE'}: is required with ${cert === undefined ? 'TEMPORAL_TLS_KEY_FILE' : 'TEMPORAL_TLS_CERT_FILE'} (mutual TLS needs the certificate and its key)`,
    );
  const wantsTls = [
    c.TEMPORAL_TLS_CA_FILE,
    c.TEMPORAL_TLS_CA,
    cert,
    c.TEMPORAL_TLS_SERVER_NAME,
  ].some((v) => v !== undefined);
  if (c.TEMPORAL_TLS === false && wantsTls)
    problems.push('TEMPORAL_TLS: is false, but TEMPORAL_TLS_* settings are set');
  return problems;
}
