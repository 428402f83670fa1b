import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { isItemList, MAX_ITEMS, namedUserId, userItem, UserItem } from './account-common.js';

export const AccountCheck = requestSchema({
  CheckItem: Type.Array(UserItem, { minItems: 1, maxItems: MAX_ITEMS }),
});

/** Tells for up to 100 UserIDs whether each is imported; a malformed item is answered in its own entry. */
export const account_check = defineApi({
  service: 'im_open_login_svc',
  command: 'account_check',
  request: AccountCheck,
  invalidCode: 70402,
  summary: 'Check whether up to 100 accounts are imported.',
  codes: [70402],
  async handle(ctx, body) {
    const items = body['CheckItem'];
    if (!isItemList(items)) return fail(70402, `CheckItem must be an array of 1 to ${MAX_ITEMS} {"UserID": ...} objects`);
    const ids = items.filter((i) => userItem.check(i)).map((i) => i.UserID);
    const states = await ctx.deps.store.accountStates(ctx.app.sdkappid, ids);
    return ok({
      ResultItem: items.map((item, i) =>
        userItem.check(item)
          ? { UserID: item.UserID, ResultCode: 0, ResultInfo: '', AccountStatus: states.get(item.UserID) === 'active' ? 'Imported' : 'NotImported' }
          : { UserID: namedUserId(item), ResultCode: 70402, ResultInfo: userItem.problem(`CheckItem[${i}]`, item), AccountStatus: 'NotImported' },
      ),
    });
  },
});
