import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, UserId } from '../request.js';

export const AccountCheck = requestSchema({
  CheckItem: Type.Array(Type.Object({ UserID: UserId }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }),
});

/** Tells for up to 100 UserIDs whether each is imported. */
export const account_check = defineApi({
  service: 'im_open_login_svc',
  command: 'account_check',
  summary: 'Check whether up to 100 accounts are imported.',
  codes: [70402],
  async handle(ctx, body) {
    const req = AccountCheck.read(body);
    if (req.unknownField !== undefined) return fail(70402, `unknown field "${req.unknownField}"; account_check takes CheckItem`);
    if (!req.valid('CheckItem')) return fail(70402, `${req.problem('CheckItem')} (1 to 100 items of {"UserID": ...})`);
    const ids = req.get('CheckItem').map((i) => i.UserID);
    const states = await ctx.deps.store.accountStates(ctx.app.sdkappid, ids);
    return ok({
      ResultItem: ids.map((UserID) => ({
        UserID,
        ResultCode: 0,
        ResultInfo: '',
        AccountStatus: states.get(UserID) === 'active' ? 'Imported' : 'NotImported',
      })),
    });
  },
});
