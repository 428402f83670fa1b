import { Type } from '@sinclair/typebox';
import { isGroupIdShape } from '../../domain/group-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';

export const GetGroupInfo = requestSchema({
  GroupIdList: Type.Array(Type.String(), { minItems: 1, maxItems: 50 }),
  ResponseFilter: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
});

/** Reads up to 50 groups; each entry carries its own ErrorCode (10010 for one that does not exist). */
export const get_group_info = defineApi({
  service: 'group_open_http_svc',
  command: 'get_group_info',
  summary: 'Read the profile and members of up to 50 groups.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = GetGroupInfo.read(body);
    if (req.unknownField !== undefined) return fail(10004, `unknown field "${req.unknownField}"; get_group_info takes GroupIdList and ResponseFilter`);
    for (const field of ['GroupIdList', 'ResponseFilter'] as const) {
      if ((field === 'GroupIdList' || req.has(field)) && !req.valid(field)) return fail(10004, `${req.problem(field)} (GroupIdList: 1 to 50 GroupIds)`);
    }
    const store = ctx.deps.store;
    const app = ctx.app.sdkappid;
    const GroupInfo = await Promise.all(
      req.get('GroupIdList').map(async (groupId) => {
        if (!isGroupIdShape(groupId)) return { GroupId: groupId, ErrorCode: 10015, ErrorInfo: 'the GroupId is malformed' };
        const g = await store.getGroup(app, groupId);
        if (g === undefined) return { GroupId: groupId, ErrorCode: 10010, ErrorInfo: 'the group does not exist or has been destroyed' };
        const members = await store.groupMembers(app, groupId);
        return {
          GroupId: g.groupId,
          ErrorCode: 0,
          ErrorInfo: '',
          Type: g.type,
          Name: g.name,
          Introduction: g.introduction,
          Notification: g.notification,
          FaceUrl: g.faceUrl,
          Owner_Account: g.owner,
          CreateTime: g.createTime,
          LastMsgTime: g.lastMsgTime,
          NextMsgSeq: g.nextMsgSeq,
          MemberNum: members.length,
          MaxMemberNum: g.maxMemberCount,
          ApplyJoinOption: g.applyJoinOption,
          InviteJoinOption: g.inviteJoinOption,
          ...(g.type === 'Community' ? { SupportTopic: g.supportTopic ? 1 : 0 } : {}),
          AppDefinedData: JSON.parse(g.appDefinedData) as unknown,
          MemberList: members.map((m) => ({ Member_Account: m.account, Role: m.role, JoinTime: m.joinTime, MsgFlag: m.msgFlag, NameCard: m.nameCard })),
        };
      }),
    );
    return ok({ GroupInfo });
  },
});
