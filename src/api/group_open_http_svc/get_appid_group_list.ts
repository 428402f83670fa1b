import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { ListGroupType, storedTypes } from './list-common.js';

/** The most GroupIds one page may hold, and the page size when Limit is left out (Tencent's). */
const MAX_LIMIT = 10000;

export const GetAppidGroupList = requestSchema({
  Limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_LIMIT })),
  /** 0 for the first page, then the Next of the page before (a 64-bit integer at Tencent). */
  Next: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  GroupType: Type.Optional(ListGroupType),
});

/**
 * Lists the app's GroupIds a page at a time, in creation order. Next is a cursor each group gets at
 * creation, so paging neither skips nor repeats a group while others are created or destroyed.
 */
export const get_appid_group_list = defineApi({
  service: 'group_open_http_svc',
  command: 'get_appid_group_list',
  request: GetAppidGroupList,
  invalidCode: 10004,
  summary: "List the app's groups a page at a time (Limit, Next, GroupType).",
  codes: [10004],
  async handle(ctx, body) {
    const req = GetAppidGroupList.read(body);
    for (const field of ['Limit', 'Next', 'GroupType'] as const) {
      if (req.has(field) && !req.valid(field)) {
        const hint = { Limit: `0 to ${MAX_LIMIT}`, Next: '0 for the first page, then the Next of the page before', GroupType: 'Public, Private (Work), ChatRoom (Meeting), AVChatRoom, Community or BChatRoom' }[field];
        return fail(10004, `${req.problem(field)} (${field}: ${hint})`);
      }
    }
    const type = req.get('GroupType');
    // Limit 0 is read as left out: the largest page.
    const page = await ctx.deps.store.appGroupPage(ctx.app.sdkappid, {
      after: req.get('Next') ?? 0,
      limit: req.get('Limit') || MAX_LIMIT,
      ...(type === undefined ? {} : { types: storedTypes(type) }),
    });
    return ok({ TotalCount: page.total, GroupIdList: page.groupIds.map((GroupId) => ({ GroupId })), Next: page.next });
  },
});
