import { createServer } from 'node:https';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerFactory, LogController } from 'fastify';
import { APIS } from './api/registry.js';
import type { Deps } from './deps.js';
import { MAX_BODY_BYTES } from './gateway/body.js';
import { failure } from './gateway/envelope.js';
import { mountFailedCallbacks } from './callbacks/failed-route.js';
import { bodyFailure, mountGateway } from './gateway/route.js';
import { mountHistoryDownloads } from './history/route.js';
import { mountEventStream } from './realtime/endpoint.js';
import { mountStats } from './stats-route.js';

/** A health check that has not answered in this time counts as down. */
const HEALTH_TIMEOUT_MS = 2000;

/** Resolves as `promise` does, or false after `ms`. */
function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Removes the usersig query parameter from a URL, so logs never hold a credential. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]usersig=)[^&]*/gi, '$1[redacted]');
}

/** How the app is served: plain HTTP, or HTTPS with a PEM certificate and key. */
export interface ServeOptions {
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

/**
 * Builds the HTTP app on its dependencies. It never listens: server.ts does, and tests call it on
 * an ephemeral port.
 */
export function createApp(deps: Deps, serve: ServeOptions = {}): FastifyInstance {
  const tls = serve.tls;
  // Tencent's REST API is HTTPS only, and some SDKs hard-code https:// before the host they are given.
  const https: FastifyServerFactory | undefined = tls === undefined ? undefined : (handler) => createServer({ cert: tls.cert, key: tls.key }, handler);
  const app = Fastify({
    ...(https === undefined ? {} : { serverFactory: https }),
    loggerInstance: deps.logger,
    // Per-request lines are the gateway's own (debug level, no URL): a URL carries the usersig.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    genReqId: () => deps.ids.requestId(),
    // One logger for all requests: a child logger per request costs more than the request id it binds.
    childLoggerFactory: (logger) => logger,
    // While stopping, requests on open connections are still answered (with the envelope), not 503.
    return503OnClosing: false,
    routerOptions: { maxParamLength: 500 },
    // A URL Fastify cannot route (bad escapes, over-long parts) is still an unknown API: HTTP 200, 60009.
    frameworkErrors: (_error, _request, reply: FastifyReply) => {
      void reply.code(200).header('content-type', 'application/json; charset=utf-8').send(failure(60009, 'unknown API: the URL is malformed; use POST /v4/{service}/{command}'));
    },
    forceCloseConnections: 'idle',
  });

  // Tencent clients send JSON with any Content-Type (or none); the gateway decodes it itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    if (!tooLarge) request.log.warn({ code: error.code, url: redactUrl(request.url) }, 'request failed before its handler');
    const reason = tooLarge ? `the request body is larger than ${MAX_BODY_BYTES} bytes` : `the request could not be read: ${error.message}`;
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(bodyFailure(request.url, reason));
  });

  // Anything else under /v4/ is an unknown API: still HTTP 200 and the envelope, never the URL (it holds the usersig).
  app.setNotFoundHandler((request, reply) => {
    if (/^\/v4(\/|\?|$)/.test(request.url)) {
      return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(failure(60009, 'unknown API: use POST /v4/{service}/{command}; see the README for the supported list'));
    }
    return reply.code(404).send({ error: 'not found' });
  });

  // 200 {"status":"ok"} while every service answers; 503 naming the ones that do not.
  const checks = deps.checks ?? [{ name: 'store', healthy: () => deps.store.healthy() }];
  app.get('/healthz', async (_request, reply) => {
    const answers = await Promise.all(checks.map((c) => withTimeout(c.healthy(), HEALTH_TIMEOUT_MS).catch(() => false)));
    const down = checks.filter((_c, i) => answers[i] !== true).map((c) => c.name);
    return reply.code(down.length === 0 ? 200 : 503).send(down.length === 0 ? { status: 'ok' } : { status: 'unavailable', down });
  });
  mountStats(app);

  mountGateway(app, deps, APIS);
  mountFailedCallbacks(app, deps);
  mountEventStream(app, deps);
  mountHistoryDownloads(app, deps);
  return app;
}
