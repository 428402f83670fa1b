import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDefinition } from '../api/define.js';
import { unknownFields } from '../api/request.js';
import { clientIpOf } from '../callbacks/service.js';
import type { Deps } from '../deps.js';
import { nowSeconds } from '../deps.js';
import { printable } from '../domain/user-id.js';
import { type ErrorCode, FAMILY_CODES, familyOf } from '../errors.js';
import { createAuthenticator } from './auth.js';
import { parseBody } from './body.js';
import { type Envelope, failure, success } from './envelope.js';

type Query = Record<string, string | string[] | undefined>;

/** A query parameter given once; arrays (the parameter repeated) count as malformed. */
function single(query: Query, name: string): string | undefined | null {
  const v = query[name];
  if (Array.isArray(v)) return null;
  return v;
}

const U32_TEXT = /^\d{1,10}$/;

/**
 * Mounts POST /v4/{service}/{command}: the envelope, query parameters, UserSig, admin check,
 * frequency limit and body decoding of decisions.md §2, in that order, then the API's handler.
 */
export function mountGateway(app: FastifyInstance, deps: Deps, apis: readonly ApiDefinition[]): void {
  const byName = new Map(apis.map((a) => [`${a.service}/${a.command}`, a]));
  const authenticate = createAuthenticator();

  async function handle(request: FastifyRequest, service: string, command: string): Promise<Envelope> {
    const api = byName.get(`${service}/${command}`);
    if (api === undefined) return failure(60009, `unknown API v4/${service}/${command}; see the README for the supported list`);
    if (request.method !== 'POST') return failure(60002, `use POST for v4/${service}/${command}, not ${request.method}`);
    const family = FAMILY_CODES[familyOf(service)];
    const query = request.query as Query;

    const sdkappidText = single(query, 'sdkappid');
    if (sdkappidText === undefined || sdkappidText === '') return failure(60012, 'the sdkappid query parameter is missing');
    const target = sdkappidText !== null && U32_TEXT.test(sdkappidText) ? deps.apps.bySdkAppId.get(Number(sdkappidText)) : undefined;
    if (target === undefined) return failure(60006, `SDKAppID ${sdkappidText ?? '(given twice)'} is not served here`);
    const identifier = single(query, 'identifier');
    const userSig = single(query, 'usersig');
    if (identifier === undefined || identifier === '' || userSig === undefined || userSig === '') {
      return failure(60004, 'the identifier and usersig query parameters are both required');
    }
    if (identifier === null || userSig === null) return failure(60002, 'identifier and usersig must each be given once');
    const contentType = single(query, 'contenttype');
    if (contentType !== undefined && contentType !== 'json') return failure(60002, 'contenttype must be json (or left out)');
    const random = single(query, 'random');
    if (random !== undefined && (random === null || !U32_TEXT.test(random) || Number(random) > 0xffffffff)) {
      return failure(60002, 'random must be an integer from 0 to 4294967295 (or left out)');
    }

    const refused = authenticate(target, identifier, userSig, nowSeconds(deps.clock));
    if (refused !== undefined) return failure(refused.code, refused.reason);
    if (!target.admins.has(identifier)) {
      return failure(family.notAdmin, `${identifier} is not an app admin; REST APIs need an admin identifier (PARLEY_ADMINS)`);
    }
    const limit = deps.config.rateLimit;
    if (limit > 0) {
      // A limiter with a local answer returns a plain boolean: no await, no tick, on the hot path.
      let allowed = deps.limiter.allow(`${target.sdkappid}:${service}/${command}`, limit, deps.clock.nowMs());
      if (typeof allowed !== 'boolean') {
        try {
          allowed = await allowed;
        } catch (error) {
          // The shared budget is unreachable (Redis down): an outage, answered like a handler's.
          request.log.error({ err: error, api: `${service}/${command}`, requestId: request.id }, 'frequency limit unavailable');
          return failure(family.internal, `internal error (request id ${request.id}); retry, and report the id if it persists`);
        }
      }
      if (!allowed) return failure(60007, `more than ${limit} calls of v4/${service}/${command} in one second; slow down and retry`);
    }

    const parsed = parseBody(request.body as Buffer | undefined);
    if (!parsed.ok) return failure(family.badBody, parsed.reason);
    const strict = deps.config.strictFields;
    const unknown = unknownFields(api.request.schema, parsed.body, !strict);
    if (unknown.length > 0) {
      if (strict) {
        const named = unknown.slice(0, 5).map((f) => `"${printable(f)}"`).join(', ');
        return failure(api.invalidCode, `unknown field ${named} in ${command}; PARLEY_STRICT_FIELDS=1 refuses fields parley does not know`);
      }
      request.log.debug({ api: `${service}/${command}`, ignored: unknown }, 'ignored unknown request fields');
    }
    const requestId = request.id;
    try {
      const outcome = await api.handle({ deps, app: target, identifier, requestId, clientIp: clientIpOf(request.ip), host: request.headers.host, https: request.protocol === 'https' }, parsed.body);
      const answer = outcome.ok ? success(api.successInfo ?? '', outcome.fields) : failure(outcome.code, outcome.info);
      return api.envelopeFields === undefined ? answer : { ...answer, ...api.envelopeFields };
    } catch (error) {
      request.log.error({ err: error, api: `${service}/${command}`, requestId }, 'API handler failed');
      return failure(family.internal, `internal error (request id ${requestId}); retry, and report the id if it persists`);
    }
  }

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/v4/:service/:command',
    handler: async (request: FastifyRequest<{ Params: { service: string; command: string } }>, reply: FastifyReply) => {
      const { service, command } = request.params;
      const envelope = await handle(request, service, command);
      // Guarded: at the default level this line is not written, and its fields need not be built.
      if (request.log.level === 'debug' || request.log.level === 'trace') request.log.debug({ api: `${service}/${command}`, code: envelope.ErrorCode, requestId: request.id }, 'api call');
      return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(envelope);
    },
  });
}

/** The gateway's answer to a failure before routing (body too large, unreadable): HTTP 200, the family's code. */
export function bodyFailure(url: string, reason: string): Envelope {
  const service = /^\/v4\/([^/?]+)\//.exec(url)?.[1] ?? '';
  const code: ErrorCode = FAMILY_CODES[familyOf(service)].badBody;
  return failure(code, reason);
}
