import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { MsgBody, normalizeMsgBody } from '../../domain/elements.js';
import { MAX_MESSAGE_BYTES, messageBytes } from '../../domain/message.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import type { ImportedMessage } from '../../store/group-import-types.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { findGroup } from './group-common.js';
import { GROUP_DEDUP_SECONDS } from './send_group_msg.js';

/** Messages one call imports at most (Tencent's page). */
export const MAX_IMPORTED_MESSAGES = 7;

const Message = Type.Object(
  {
    From_Account: Type.String(),
    SendTime: U32,
    Random: Type.Optional(U32),
    MsgBody,
    CloudCustomData: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ImportGroupMsg = requestSchema({
  GroupId: Type.String(),
  /** 1: update the members' conversation lists; parley keeps none, so it accepts the flag and has nothing to do. */
  RecentContactFlag: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  MsgList: Type.Array(Message, { minItems: 1, maxItems: MAX_IMPORTED_MESSAGES }),
});
const message = requestSchema(Message.properties);

/** Result of a message whose SendTime is in the future, before the group's creation or before its newest message. */
const BAD_SEND_TIME = 10004;
/** Result of a message over 12 KB (MsgBody JSON plus CloudCustomData). */
const TOO_LARGE = 80002;

/**
 * Imports up to 7 historical messages into a group's history, in order: each takes the group's next
 * MsgSeq, so the group's own sends continue after them. Per message, Result 0 (imported, or a
 * duplicate of one imported before with the same Random, answered with its MsgSeq), 10004 (SendTime
 * in the future, before the group was created, or before the group's newest message) or 80002 (too
 * large). Afterwards every member's unread count is 0. No callback, no notification (Tencent's page).
 */
export const import_group_msg = defineApi({
  service: 'group_open_http_svc',
  command: 'import_group_msg',
  request: ImportGroupMsg,
  invalidCode: 10004,
  summary: `Import up to ${MAX_IMPORTED_MESSAGES} historical messages into a group, in time order.`,
  codes: [10004, 10007, 10010, 10015],
  async handle(ctx, body) {
    const req = ImportGroupMsg.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    const items: unknown = body['MsgList'];
    if (!Array.isArray(items) || items.length < 1 || items.length > MAX_IMPORTED_MESSAGES) {
      return fail(10004, `MsgList must be an array of 1 to ${MAX_IMPORTED_MESSAGES} messages; split longer histories into several calls, oldest first`);
    }
    if (req.has('RecentContactFlag') && !req.valid('RecentContactFlag')) return fail(10004, req.problem('RecentContactFlag'));
    if (group.type === 'AVChatRoom') return fail(10007, 'audio-video groups keep no history to import into');
    const messages: ImportedMessage[] = [];
    const tooLarge = new Set<number>();
    const store = ctx.deps.store;
    for (const [i, item] of (items as unknown[]).entries()) {
      const at = `MsgList[${i}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(10004, `${at} must be an object`);
      const fields = item as Record<string, unknown>;
      const m = message.read(fields);
      const from: unknown = m.has('From_Account') ? fields['From_Account'] : undefined;
      if (!isUserId(from)) return fail(10004, userIdProblem(`${at}.From_Account`, from));
      if ((await store.accountState(ctx.app.sdkappid, from)) === 'none') return fail(10004, `${at}.From_Account "${from}" was never imported; import the account first`);
      for (const field of ['SendTime', 'Random', 'CloudCustomData'] as const) {
        if ((field === 'SendTime' || m.has(field)) && !m.valid(field)) return fail(10004, `${at}.${m.problem(field)}`);
      }
      const problem = normalizeMsgBody(fields['MsgBody'], ctx.deps.config.strictFields, `${at}.MsgBody`);
      if (problem !== undefined) return fail(10004, problem.info);
      const msgBody = JSON.stringify(fields['MsgBody']);
      const cloudCustomData = m.get('CloudCustomData') ?? '';
      if (messageBytes(msgBody, cloudCustomData) > MAX_MESSAGE_BYTES) tooLarge.add(i);
      messages.push({ from, time: m.get('SendTime'), random: m.get('Random') ?? ctx.deps.ids.randomU32(), dedup: m.has('Random'), body: msgBody, cloudCustomData });
    }
    const outcomes = await store.importGroupMessages(ctx.app.sdkappid, group.groupId, messages.filter((_, i) => !tooLarge.has(i)), nowSeconds(ctx.deps.clock), GROUP_DEDUP_SECONDS);
    if (outcomes === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    let next = 0;
    const ImportMsgResult = messages.map((m, i) => {
      if (tooLarge.has(i)) return { MsgSeq: 0, MsgTime: m.time, Result: TOO_LARGE };
      const o = outcomes[next++];
      if (o === undefined || o.kind === 'bad_time') return { MsgSeq: 0, MsgTime: m.time, Result: BAD_SEND_TIME };
      return { MsgSeq: o.seq, MsgTime: o.time, Result: 0 };
    });
    return ok({ ImportMsgResult });
  },
});
