import { Type } from '@sinclair/typebox';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { accountKnown } from './c2c-common.js';

/** At most this many peers per call. */
export const MAX_PEERS = 10;

/** ErrorList code of a peer that was never imported, as Tencent documents it. */
const NOT_IMPORTED = 70107;

export const GetC2CUnreadMsgNum = requestSchema({
  To_Account: Type.String(),
  Peer_Account: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: MAX_PEERS })),
});

/**
 * A user's unread one-to-one messages: in all (AllC2CUnreadMsgNum), or with each of up to 10 peers
 * (C2CUnreadMsgNumList; ErrorList names peers that were never imported). Unread: sent after what
 * the user marked read, neither recalled nor deleted by the user, and not sent with NoUnread nor
 * imported as history.
 */
export const get_c2c_unread_msg_num = defineApi({
  service: 'openim',
  command: 'get_c2c_unread_msg_num',
  request: GetC2CUnreadMsgNum,
  invalidCode: 90010,
  summary: 'Count a user\'s unread one-to-one messages, in all or per peer.',
  codes: [70107, 90003, 90010],
  async handle(ctx, body) {
    const req = GetC2CUnreadMsgNum.read(body);
    const user: unknown = body['To_Account'];
    if (!isUserId(user)) return fail(90003, userIdProblem('To_Account', user));
    if (!(await accountKnown(ctx, user))) return fail(90003, `To_Account "${user}" is not imported`);
    if (req.has('Peer_Account') && !req.valid('Peer_Account')) return fail(90010, `${req.problem('Peer_Account')}; Peer_Account is an array of 1 to ${MAX_PEERS} UserIDs`);
    const asked = [...new Set(req.get('Peer_Account') ?? [])];
    const errorList: { Peer_Account: string; ErrorCode: number }[] = [];
    const peers: string[] = [];
    for (const peer of asked) {
      if (isUserId(peer) && (await accountKnown(ctx, peer))) peers.push(peer);
      else errorList.push({ Peer_Account: peer, ErrorCode: NOT_IMPORTED });
    }
    const unread = await ctx.deps.store.unreadC2C(ctx.app.sdkappid, user, peers);
    if (!req.has('Peer_Account')) return ok({ AllC2CUnreadMsgNum: unread.total });
    const list = peers.map((peer) => ({ Peer_Account: peer, C2CUnreadMsgNum: unread.byPeer.get(peer) ?? 0 }));
    return ok(errorList.length === 0 ? { C2CUnreadMsgNumList: list } : { C2CUnreadMsgNumList: list, ErrorList: errorList });
  },
});
