import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { streamKey } from '../../realtime/types.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';

export const Kick = requestSchema({ UserID: Type.String() });

/**
 * Invalidates a user's login state: every UserSig generated for it up to now is refused by the
 * event stream (70001), and its connected devices are closed on every node (close code 4001). A
 * UserSig generated afterwards (a later second) works again.
 */
export const kick = defineApi({
  service: 'im_open_login_svc',
  command: 'kick',
  request: Kick,
  invalidCode: 70402,
  summary: 'Invalidate a user\'s UserSigs and close its event stream connections.',
  codes: [70107, 70402],
  async handle(ctx, body) {
    const user: unknown = body['UserID'];
    if (!isUserId(user)) return fail(70402, userIdProblem('UserID', user));
    if (!(await ctx.deps.store.accountKnown(ctx.app.sdkappid, user))) return fail(70107, `"${user}" is not imported`);
    await ctx.deps.realtime.presence.kick(streamKey(ctx.app.sdkappid, user), nowSeconds(ctx.deps.clock));
    return ok();
  },
});
