import { Type } from '@sinclair/typebox';
import { type MsgKeyParts, parseMsgKey } from '../../domain/msg-key.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { accountKnown } from './c2c-common.js';

/** At most this many MsgKeys per call. */
export const MAX_KEYS = 30;

export const DeleteC2CMsgRamble = requestSchema({
  Operator_Account: Type.String(),
  Peer_Account: Type.String(),
  MsgKeyList: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_KEYS }),
});

/**
 * Deletes up to 30 one-to-one messages from Operator_Account's history only: the peer still sees
 * them. A message that neither party can see any more (both deleted it, or the sender never had it
 * in roaming) is deleted for good, its content destroyed. A MsgKey that names no message of the
 * conversation, or one the operator already deleted, changes nothing.
 */
export const delete_c2c_msg_ramble = defineApi({
  service: 'openim',
  command: 'delete_c2c_msg_ramble',
  request: DeleteC2CMsgRamble,
  invalidCode: 20001,
  summary: 'Delete up to 30 one-to-one messages from one party\'s history.',
  codes: [20001, 90003, 90008, 90054],
  async handle(ctx, body) {
    const req = DeleteC2CMsgRamble.read(body);
    const owner: unknown = body['Operator_Account'];
    if (!isUserId(owner)) return fail(90008, userIdProblem('Operator_Account', owner));
    if (!(await accountKnown(ctx, owner))) return fail(90008, `Operator_Account "${owner}" is not imported`);
    const peer: unknown = body['Peer_Account'];
    if (!isUserId(peer)) return fail(90003, userIdProblem('Peer_Account', peer));
    if (!(await accountKnown(ctx, peer))) return fail(90003, `Peer_Account "${peer}" is not imported`);
    if (!req.valid('MsgKeyList')) return fail(20001, `${req.problem('MsgKeyList')}; MsgKeyList is an array of 1 to ${MAX_KEYS} MsgKeys`);
    const keys: MsgKeyParts[] = [];
    for (const [i, value] of req.get('MsgKeyList').entries()) {
      const key = parseMsgKey(value);
      if (key === undefined) return fail(90054, `MsgKeyList[${i}] is not a MsgKey: give it exactly as sendmsg or admin_getroammsg returned it (three u32 joined by "_")`);
      keys.push(key);
    }
    await ctx.deps.store.deleteC2CForOwner(ctx.app.sdkappid, owner, peer, keys);
    return ok();
  },
});
