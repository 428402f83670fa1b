import { Type } from '@sinclair/typebox';
import type { AccountInput } from '../../store/types.js';
import { defineApi, fail, ok } from '../define.js';
import { checker, requestSchema, UserId } from '../request.js';
import { isItemList, MAX_ITEMS, namedUserId } from './account-common.js';

const ProfileItem = Type.Object({ UserID: UserId, Nick: Type.Optional(Type.String()), FaceUrl: Type.Optional(Type.String()) }, { additionalProperties: false });
const profileItem = checker(ProfileItem);
const userId = checker(UserId);

export const MultiAccountImport = requestSchema({
  Accounts: Type.Optional(Type.Array(UserId, { minItems: 1, maxItems: MAX_ITEMS })),
  AccountList: Type.Optional(Type.Array(ProfileItem, { minItems: 1, maxItems: MAX_ITEMS })),
});

/**
 * Imports up to 100 accounts, given as UserIDs (Accounts) or with profiles (AccountList). An item
 * that cannot be imported is listed in FailAccounts; the others are imported.
 */
export const multiaccount_import = defineApi({
  service: 'im_open_login_svc',
  command: 'multiaccount_import',
  request: MultiAccountImport,
  invalidCode: 70402,
  summary: 'Import up to 100 accounts.',
  codes: [70402],
  async handle(ctx, body) {
    const req = MultiAccountImport.read(body);
    if (req.has('Accounts') === req.has('AccountList')) return fail(70402, 'give exactly one of Accounts (UserIDs) and AccountList (objects with UserID)');
    const field = req.has('Accounts') ? 'Accounts' : 'AccountList';
    const items = body[field];
    if (!isItemList(items)) return fail(70402, `${field} must be an array of 1 to ${MAX_ITEMS} ${field === 'Accounts' ? 'UserIDs' : '{"UserID": ...} objects'}`);
    const accounts: AccountInput[] = [];
    const failed: string[] = [];
    for (const item of items) {
      if (field === 'Accounts' && userId.check(item)) accounts.push({ userId: item });
      else if (field === 'AccountList' && profileItem.check(item)) accounts.push({ userId: item.UserID, nick: item.Nick, faceUrl: item.FaceUrl });
      else failed.push(namedUserId(item));
    }
    if (accounts.length > 0) await ctx.deps.store.importAccounts(ctx.app.sdkappid, accounts);
    return ok({ FailAccounts: failed });
  },
});
