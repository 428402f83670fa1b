import { Type } from '@sinclair/typebox';
import { formatMsgKey, parseMsgKey } from '../../domain/msg-key.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import type { C2CMessage } from '../../store/types.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { accountKnown } from './c2c-common.js';

/** A page holds at most this many messages; a larger MaxCnt is answered with this many (Complete 0 if more remain). */
export const MAX_PAGE = 100;
/** MsgFlagBits of a recalled message. */
const RECALLED = 8;

export const AdminGetRoamMsg = requestSchema({
  Operator_Account: Type.Optional(Type.String()),
  Peer_Account: Type.Optional(Type.String()),
  From_Account: Type.Optional(Type.String()),
  To_Account: Type.Optional(Type.String()),
  MaxCnt: Type.Integer({ minimum: 1, maximum: 0xffffffff }),
  MinTime: U32,
  MaxTime: U32,
  LastMsgKey: Type.Optional(Type.String()),
  LastMsgTime: Type.Optional(U32),
});

function toWire(m: C2CMessage) {
  return {
    From_Account: m.from,
    To_Account: m.to,
    MsgSeq: m.seq,
    MsgRandom: m.random,
    MsgTimeStamp: m.time,
    MsgFlagBits: m.recalled ? RECALLED : 0,
    // 1 once the message's receiver has read it (admin_set_msg_read up to its time, or later).
    IsPeerRead: m.peerRead === true ? 1 : 0,
    MsgKey: formatMsgKey(m),
    MsgBody: JSON.parse(m.body) as unknown,
    CloudCustomData: m.cloudCustomData,
  };
}

/**
 * Reads one page of the history between two users, newest page first and oldest first inside a
 * page. The next page is asked for with MaxTime = LastMsgTime and LastMsgKey; no message is ever
 * repeated or skipped, even when many share one second.
 */
export const admin_getroammsg = defineApi({
  service: 'openim',
  command: 'admin_getroammsg',
  request: AdminGetRoamMsg,
  invalidCode: 20001,
  summary: 'Query the one-to-one history between two users, page by page.',
  codes: [20001, 90003, 90008],
  async handle(ctx, body) {
    const req = AdminGetRoamMsg.read(body);
    const legacy = req.has('From_Account') || req.has('To_Account');
    if (legacy && (req.has('Operator_Account') || req.has('Peer_Account'))) {
      return fail(20001, 'give Operator_Account and Peer_Account, or the older From_Account and To_Account, not both');
    }
    const owner: unknown = legacy ? body['From_Account'] : body['Operator_Account'];
    const ownerName = legacy ? 'From_Account' : 'Operator_Account';
    if (!isUserId(owner)) return fail(90008, userIdProblem(ownerName, owner));
    if (!(await accountKnown(ctx, owner))) return fail(90008, `${ownerName} "${owner}" is not imported`);
    const peer: unknown = legacy ? body['To_Account'] : body['Peer_Account'];
    if (typeof peer !== 'string') return fail(90003, `${legacy ? 'To_Account' : 'Peer_Account'} is required and must be a string`);
    for (const field of ['MaxCnt', 'MinTime', 'MaxTime', 'LastMsgTime'] as const) {
      if ((field !== 'LastMsgTime' || req.has(field)) && !req.valid(field)) return fail(20001, req.problem(field));
    }
    const minTime = req.get('MinTime');
    const maxTime = req.get('MaxTime');
    if (minTime > maxTime) return fail(20001, `MinTime (${minTime}) is after MaxTime (${maxTime})`);
    let before;
    if (req.has('LastMsgKey') && body['LastMsgKey'] !== '') {
      before = parseMsgKey(body['LastMsgKey']);
      if (before === undefined) return fail(20001, 'LastMsgKey must be the LastMsgKey of the previous page, as returned');
    }

    const page = await ctx.deps.store.pageC2C(ctx.app.sdkappid, { owner, peer, minTime, maxTime, maxCount: Math.min(req.get('MaxCnt'), MAX_PAGE), before });
    const oldest = page.messages[0];
    return ok({
      Complete: page.complete ? 1 : 0,
      MsgCnt: page.messages.length,
      LastMsgTime: oldest?.time ?? 0,
      LastMsgKey: oldest === undefined ? '' : formatMsgKey(oldest),
      MsgList: page.messages.map(toWire),
    });
  },
});
