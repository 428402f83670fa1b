import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { isItemList, MAX_ITEMS, namedUserId, userItem, UserItem } from './account-common.js';

export const AccountDelete = requestSchema({
  DeleteItem: Type.Array(UserItem, { minItems: 1, maxItems: MAX_ITEMS }),
});

/**
 * Deletes up to 100 accounts, answering per account. Their stored messages stay: they are the peers'
 * history too. An app admin is not deleted (it is the REST caller).
 */
export const account_delete = defineApi({
  service: 'im_open_login_svc',
  command: 'account_delete',
  request: AccountDelete,
  invalidCode: 70402,
  summary: 'Delete up to 100 accounts.',
  codes: [70402, 70107],
  async handle(ctx, body) {
    const items = body['DeleteItem'];
    if (!isItemList(items)) return fail(70402, `DeleteItem must be an array of 1 to ${MAX_ITEMS} {"UserID": ...} objects`);
    const isAdmin = (id: string) => ctx.app.admins.has(id);
    const ids = [...new Set(items.filter((i) => userItem.check(i) && !isAdmin(i.UserID)).map((i) => namedUserId(i)))];
    const deleted = ids.length === 0 ? new Map<string, boolean>() : await ctx.deps.store.deleteAccounts(ctx.app.sdkappid, ids);
    return ok({
      ResultItem: items.map((item, i) => {
        const UserID = namedUserId(item);
        if (!userItem.check(item)) return { ResultCode: 70402, ResultInfo: userItem.problem(`DeleteItem[${i}]`, item), UserID };
        if (isAdmin(UserID)) return { ResultCode: 70402, ResultInfo: `${UserID} is an app admin and cannot be deleted; remove it from PARLEY_ADMINS first`, UserID };
        if (deleted.get(UserID) === true) return { ResultCode: 0, ResultInfo: '', UserID };
        return { ResultCode: 70107, ResultInfo: 'Err_TLS_PT_Open_Login_Account_Not_Exist: the account is not imported', UserID };
      }),
    });
  },
});
