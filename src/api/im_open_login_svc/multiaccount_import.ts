import { Type } from '@sinclair/typebox';
import type { AccountInput } from '../../store/types.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, UserId } from '../request.js';

/** At most this many accounts per call. */
export const MAX_IMPORT = 100;

export const MultiAccountImport = requestSchema({
  Accounts: Type.Optional(Type.Array(UserId, { minItems: 1, maxItems: MAX_IMPORT })),
  AccountList: Type.Optional(
    Type.Array(
      Type.Object({ UserID: UserId, Nick: Type.Optional(Type.String()), FaceUrl: Type.Optional(Type.String()) }, { additionalProperties: false }),
      { minItems: 1, maxItems: MAX_IMPORT },
    ),
  ),
});

/** Imports up to 100 accounts, given as UserIDs (Accounts) or with profiles (AccountList). */
export const multiaccount_import = defineApi({
  service: 'im_open_login_svc',
  command: 'multiaccount_import',
  summary: 'Import up to 100 accounts.',
  codes: [70402],
  async handle(ctx, body) {
    const req = MultiAccountImport.read(body);
    if (req.unknownField !== undefined) return fail(70402, `unknown field "${req.unknownField}"; give Accounts or AccountList`);
    if (req.has('Accounts') === req.has('AccountList')) return fail(70402, 'give exactly one of Accounts (UserIDs) and AccountList (objects with UserID)');
    const field = req.has('Accounts') ? 'Accounts' : 'AccountList';
    if (!req.valid(field)) return fail(70402, `${req.problem(field)} (1 to ${MAX_IMPORT} valid UserIDs)`);
    const accounts: AccountInput[] =
      field === 'Accounts'
        ? req.get('Accounts').map((userId) => ({ userId }))
        : req.get('AccountList').map((a) => ({ userId: a.UserID, nick: a.Nick, faceUrl: a.FaceUrl }));
    await ctx.deps.store.importAccounts(ctx.app.sdkappid, accounts);
    return ok({ FailAccounts: [] });
  },
});
