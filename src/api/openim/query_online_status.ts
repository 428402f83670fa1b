import { Type } from '@sinclair/typebox';
import { isUserId } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';

/** At most this many UserIDs per call. */
export const MAX_QUERIED = 500;
/** ErrorList code of an account that is not imported (or was deleted). */
const NOT_IMPORTED = 70107;

const Flag = Type.Union([Type.Literal(0), Type.Literal(1)]);

export const QueryOnlineStatus = requestSchema({
  To_Account: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_QUERIED }),
  IsNeedDetail: Type.Optional(Flag),
  IsReturnInstid: Type.Optional(Flag),
  IsReturnCustomStatus: Type.Optional(Flag),
});

const FLAGS = ['IsNeedDetail', 'IsReturnInstid', 'IsReturnCustomStatus'] as const;

/**
 * Answers, for up to 500 users, Online when a device of theirs holds an event stream connection
 * (GET /parley/v1/events) on any node, else Offline; with IsNeedDetail, each device's platform.
 * Accounts that are not imported are listed in ErrorList with 70107.
 */
export const query_online_status = defineApi({
  service: 'openim',
  command: 'query_online_status',
  request: QueryOnlineStatus,
  invalidCode: 70402,
  summary: 'Query whether up to 500 users are online, and on which platforms.',
  codes: [70107, 70402],
  async handle(ctx, body) {
    const req = QueryOnlineStatus.read(body);
    if (!req.valid('To_Account')) return fail(70402, `${req.problem('To_Account')}; To_Account is an array of 1 to ${MAX_QUERIED} UserIDs`);
    for (const flag of FLAGS) if (req.has(flag) && !req.valid(flag)) return fail(70402, `${req.problem(flag)}; ${flag} is 0 or 1`);
    const named = [...new Set(req.get('To_Account'))];
    const valid = named.filter(isUserId);
    const states = await ctx.deps.store.accountStates(ctx.app.sdkappid, valid);
    const known = valid.filter((u) => states.get(u) === 'active');
    const devices = await ctx.deps.realtime.presence.devices(ctx.app.sdkappid, known);
    const detail = req.get('IsNeedDetail') === 1;
    const QueryResult = known.map((user) => {
      const found = devices.get(user) ?? [];
      const Status = found.length > 0 ? 'Online' : 'Offline';
      // As Tencent's sample: Detail only for a user with devices.
      if (!detail || found.length === 0) return { To_Account: user, Status };
      return { To_Account: user, Status, Detail: found.map((d) => ({ Platform: d.platform, Status: 'Online' })) };
    });
    const knownSet = new Set(known);
    const ErrorList = named.filter((u) => !knownSet.has(u)).map((u) => ({ To_Account: u, ErrorCode: NOT_IMPORTED }));
    return ok({ QueryResult, ErrorList });
  },
});
