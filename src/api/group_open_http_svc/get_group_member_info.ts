import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { findGroupKind } from './group-common.js';
import { memberFields } from './member-common.js';

/** The most members one page may hold (Tencent's Limit). */
const MAX_LIMIT = 6000;
const Names = Type.Array(Type.String());

export const GetGroupMemberInfo = requestSchema({
  GroupId: Type.String(),
  MemberInfoFilter: Type.Optional(Names),
  MemberRoleFilter: Type.Optional(Type.Array(Type.Union([Type.Literal('Owner'), Type.Literal('Admin'), Type.Literal('Member')]))),
  AppDefinedDataFilter_GroupMember: Type.Optional(Names),
  /** Members per page; 0 or absent: all. */
  Limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_LIMIT })),
  Offset: Type.Optional(U32),
  /** A Community's cursor: "" for the first page, then the Next of the page before. */
  Next: Type.Optional(Type.String()),
});

const FIELDS = ['MemberInfoFilter', 'MemberRoleFilter', 'AppDefinedDataFilter_GroupMember', 'Limit', 'Offset', 'Next'] as const;

/** A Next cursor: the last member of a page, by join time and UserID (the page order). */
function encodeNext(joinTime: number, account: string): string {
  return Buffer.from(JSON.stringify([joinTime, account])).toString('base64url');
}

function decodeNext(next: string): { joinTime: number; account: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(next, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') return { joinTime: value[0] as number, account: value[1] };
  } catch {
    // Not one of ours: reported below as an invalid Next.
  }
  return undefined;
}

/**
 * Reads a group's members a page at a time, in join order: by Offset and Limit, or in a Community
 * by the Next cursor, which never skips or repeats a member while others join or leave.
 */
export const get_group_member_info = defineApi({
  service: 'group_open_http_svc',
  command: 'get_group_member_info',
  request: GetGroupMemberInfo,
  invalidCode: 10004,
  summary: "Read a group's members a page at a time, with role and field filters.",
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = GetGroupMemberInfo.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of FIELDS) {
      if (req.has(field) && !req.valid(field)) return fail(10004, `${req.problem(field)}${field === 'Limit' ? ` (Limit: at most ${MAX_LIMIT})` : ''}`);
    }
    const community = group.type === 'Community';
    const next = req.get('Next');
    if (next !== undefined && !community) return fail(10004, 'Next pages the members of a Community; page other groups with Offset and Limit');
    if (next !== undefined && req.has('Offset')) return fail(10004, 'give Next or Offset, not both');
    const after = next === undefined || next === '' ? undefined : decodeNext(next);
    if (next !== undefined && next !== '' && after === undefined) return fail(10004, 'Next is not a cursor this API gave: pass "" for the first page, then the Next of the page before');
    const limit = req.get('Limit') || undefined;
    const page = await ctx.deps.store.groupMemberPage(ctx.app.sdkappid, group.groupId, {
      offset: req.get('Offset') ?? 0,
      ...(after === undefined ? {} : { after }),
      ...(limit === undefined ? {} : { limit }),
      ...(req.has('MemberRoleFilter') ? { roles: req.get('MemberRoleFilter') } : {}),
    });
    const MemberList = page.members.map((m) => memberFields(ctx, m, req.get('MemberInfoFilter'), req.get('AppDefinedDataFilter_GroupMember')));
    if (!community) return ok({ MemberNum: page.total, MemberList });
    const last = page.members[page.members.length - 1];
    return ok({ Next: page.more && last !== undefined ? encodeNext(last.joinTime, last.account) : '', MemberNum: page.total, MemberList });
  },
});
