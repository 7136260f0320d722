import type { RequestHandler } from 'express';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config';
import { HttpError } from './errors';
import { isLoopbackHost } from './loopback';

export interface UiTokenSettings {
  issuer: string;
  audience: string;
  /** The identity provider's signing keys (a remote JWKS in production). */
  keys: JWTVerifyGetKey;
}

/** Asymmetric signatures only: a JWKS never holds a shared secret we would accept. */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

const refused = (message: string) => new HttpError(401, 'unauthenticated', message);

/**
 * The Temporal UI's "pass access token" sends its signed-in user's OIDC access token, nothing
 * else. This accepts only such a token, signed by the configured identity provider for the
 * configured audience, so decoding needs a person signed in to the UI. Engine API tokens are
 * refused here, and these tokens mean nothing to the rest of the API.
 */
export function requireUiAccessToken({ issuer, audience, keys }: UiTokenSettings): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw refused('sign in to the Temporal UI: it sends your access token to decode payloads');
    }
    try {
      await jwtVerify(match[1]!, keys, { issuer, audience, algorithms: ALGORITHMS });
    } catch (err) {
      // The identity provider's keys could not be fetched: not the caller's fault.
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
        throw new HttpError(
          503,
          'identity_provider_unavailable',
          "the identity provider's signing keys could not be read; try again in a minute",
        );
      }
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw refused('the access token is invalid, expired, or not issued for this codec');
    }
    next();
  };
}

type CodecAuthConfig = Pick<
  Config,
  | 'HOST'
  | 'TEMPORAL_UI_CODEC_JWKS_URL'
  | 'TEMPORAL_UI_CODEC_JWT_ISSUER'
  | 'TEMPORAL_UI_CODEC_JWT_AUDIENCE'
>;

/**
 * Who may decode: the UI's signed-in users when a JWKS is configured; anyone who can reach a
 * loopback-only listener (the local stack) otherwise. Anywhere else the API refuses to start.
 */
export function codecAuthorizer(config: CodecAuthConfig): RequestHandler | undefined {
  const { TEMPORAL_UI_CODEC_JWKS_URL: jwks, TEMPORAL_UI_CODEC_JWT_ISSUER: issuer } = config;
  const audience = config.TEMPORAL_UI_CODEC_JWT_AUDIENCE;
  if (jwks && issuer && audience) {
    return requireUiAccessToken({ issuer, audience, keys: createRemoteJWKSet(new URL(jwks)) });
  }
  if (isLoopbackHost(config.HOST)) return undefined;
  throw new Error(
    "TEMPORAL_UI_CODEC_ORIGINS is set on an API that is not on loopback: set TEMPORAL_UI_CODEC_JWKS_URL, TEMPORAL_UI_CODEC_JWT_ISSUER and TEMPORAL_UI_CODEC_JWT_AUDIENCE so /codec/decode checks the Temporal UI user's access token",
  );
}
