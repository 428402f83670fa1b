import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { nowSeconds } from '../deps.js';
import { createAuthenticator } from '../gateway/auth.js';
import { type Envelope, failure, success } from '../gateway/envelope.js';

/** Failed callbacks per page at most. */
const MAX_PAGE = 100;

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined | null {
  const v = query[name];
  return Array.isArray(v) ? null : v;
}

/**
 * GET /parley/v1/callbacks/failed?sdkappid=…&identifier=<admin>&usersig=…[&limit=1-100][&after=<Id>]:
 * the app's after-callbacks whose every attempt failed, oldest first, authenticated as the REST API
 * is (an admin UserSig) and answered in its envelope. `Next` is the `after` of the next page (0: none).
 */
export function mountFailedCallbacks(app: FastifyInstance, deps: Deps): void {
  const authenticate = createAuthenticator();

  async function answer(query: Query): Promise<Envelope> {
    const sdkappidText = single(query, 'sdkappid');
    if (sdkappidText === undefined || sdkappidText === '') return failure(60012, 'the sdkappid query parameter is missing');
    const target = sdkappidText !== null && /^\d{1,10}$/.test(sdkappidText) ? deps.apps.bySdkAppId.get(Number(sdkappidText)) : undefined;
    if (target === undefined) return failure(60006, `SDKAppID ${sdkappidText ?? '(given twice)'} is not served here`);
    const identifier = single(query, 'identifier');
    const userSig = single(query, 'usersig');
    if (identifier === undefined || identifier === '' || userSig === undefined || userSig === '') return failure(60004, 'the identifier and usersig query parameters are both required');
    if (identifier === null || userSig === null) return failure(60002, 'identifier and usersig must each be given once');
    const refused = authenticate(target, identifier, userSig, nowSeconds(deps.clock));
    if (refused !== undefined) return failure(refused.code, refused.reason);
    if (!target.admins.has(identifier)) return failure(60010, `${identifier} is not an app admin; the failed-callback list needs an admin identifier (PARLEY_ADMINS)`);
    const limitText = single(query, 'limit') ?? '100';
    const afterText = single(query, 'after') ?? '0';
    if (limitText === null || !/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_PAGE) return failure(60002, `limit must be a whole number from 1 to ${MAX_PAGE}`);
    if (afterText === null || !/^\d{1,15}$/.test(afterText)) return failure(60002, 'after must be the Next of the previous page (a whole number), or left out');
    const limit = Number(limitText);
    const rows = await deps.store.failedCallbacks(target.sdkappid, limit, Number(afterText));
    const last = rows[rows.length - 1];
    return success('', {
      Failed: rows.map((r) => ({
        Id: r.id,
        DeliveryId: r.deliveryId,
        CallbackCommand: r.command,
        ClientIP: r.clientIp,
        Attempts: r.attempts,
        CreateTime: r.createdAt,
        FailTime: r.failedAt,
        LastError: r.lastError,
        Body: JSON.parse(r.body) as unknown,
      })),
      Next: rows.length === limit && last !== undefined ? last.id : 0,
    });
  }

  app.get('/parley/v1/callbacks/failed', async (request, reply) => {
    let envelope: Envelope;
    try {
      envelope = await answer(request.query as Query);
    } catch (error) {
      request.log.error({ err: error, requestId: request.id }, 'listing failed callbacks failed');
      envelope = failure(70500, `internal error (request id ${request.id}); retry, and report the id if it persists`);
    }
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(envelope);
  });
}
