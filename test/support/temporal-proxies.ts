import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';

/**
 * Stand-ins for a secured Temporal (issue 20): the test's dev server behind a TLS-terminating
 * proxy (mutual TLS when asked), or behind a gRPC proxy that refuses any request without the API
 * key. Both listen on loopback and forward to the real dev server.
 */

export interface Certificates {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A CA that signed nothing here: trusting it instead of ours must fail. */
  otherCaFile: string;
  /** The name the server's certificate is for (not the address's host). */
  serverName: string;
}

/** A CA, a server certificate for `serverName` and a client certificate, made by openssl. */
export function makeCertificates(dir: string, serverName = 'temporal.test'): Certificates {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ca = (name: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
    );
  const signed = (name: string, subject: string, extensions: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.csr`),
      '-subj',
      subject,
    );
    writeFileSync(at(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at('ca.crt'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      at(`${name}.crt`),
      '-extfile',
      at(`${name}.ext`),
    );
  };
  ca('ca');
  ca('other-ca');
  signed(
    'server',
    `/CN=${serverName}`,
    `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth\n`,
  );
  signed('client', '/CN=engine-worker', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: at('ca.crt'),
    serverCertFile: at('server.crt'),
    serverKeyFile: at('server.key'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    otherCaFile: at('other-ca.crt'),
    serverName,
  };
}

export interface Proxy {
  address: string;
  /** Connections (TLS) or requests (API key) refused so far. */
  refused(): number;
  stop(): Promise<void>;
}

/** TLS in front of `target` (host:port); with `requireClientCert`, only our CA's clients get in. */
export async function startTlsProxy(
  target: string,
  certs: Certificates,
  requireClientCert: boolean,
): Promise<Proxy> {
  const [host, port] = splitAddress(target);
  let refused = 0;
  const sockets = new Set<Socket>();
  const server = tls.createServer(
    {
      key: readFileSync(certs.serverKeyFile),
      cert: readFileSync(certs.serverCertFile),
      ca: readFileSync(certs.caFile),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
      // gRPC is HTTP/2: the client asks for h2 by ALPN.
      ALPNProtocols: ['h2'],
    },
    (client) => {
      const upstream = connect(port, host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.once('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', () => (refused += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    refused: () => refused,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A plaintext gRPC (HTTP/2) proxy to `target` that passes only requests carrying
 * `authorization: Bearer <apiKey>`, as Temporal Cloud checks its API keys; any other is answered
 * UNAUTHENTICATED (gRPC status 16) and never reaches the server.
 */
export async function startApiKeyProxy(target: string, apiKey: string): Promise<Proxy> {
  let refused = 0;
  const upstream = http2.connect(`http://${target}`);
  upstream.on('error', () => undefined);
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers.authorization !== `Bearer ${apiKey}`) {
      refused += 1;
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16',
          'grpc-message': 'missing or wrong API key',
        },
        { endStream: true },
      );
      return;
    }
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name === ':authority' || name === ':scheme' || name === 'authorization') continue;
      forwarded[name] = value;
    }
    const request = upstream.request(forwarded);
    request.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    let trailers: http2.IncomingHttpHeaders = {};
    request.on('trailers', (t: http2.IncomingHttpHeaders) => {
      trailers = t;
    });
    request.on('response', (response) => {
      const { ':status': status, ...rest } = response;
      // A trailers-only answer (an error) carries its grpc-status in these headers.
      const trailersOnly = 'grpc-status' in rest;
      stream.respond(
        { ':status': status ?? 200, ...rest },
        trailersOnly ? { endStream: true } : { waitForTrailers: true },
      );
      if (trailersOnly) return;
      stream.on('wantTrailers', () => {
        const { ':status': _ignored, ...rest } = trailers;
        stream.sendTrailers(rest);
      });
      request.pipe(stream);
    });
    stream.pipe(request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    refused: () => refused,
    stop: async () => {
      upstream.destroy();
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}
