import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, UserId } from '../request.js';

export const AccountDelete = requestSchema({
  DeleteItem: Type.Array(Type.Object({ UserID: UserId }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }),
});

/** Deletes up to 100 accounts. Their stored messages stay: they are the peers' history too. */
export const account_delete = defineApi({
  service: 'im_open_login_svc',
  command: 'account_delete',
  summary: 'Delete up to 100 accounts.',
  codes: [70402],
  async handle(ctx, body) {
    const req = AccountDelete.read(body);
    if (req.unknownField !== undefined) return fail(70402, `unknown field "${req.unknownField}"; account_delete takes DeleteItem`);
    if (!req.valid('DeleteItem')) return fail(70402, `${req.problem('DeleteItem')} (1 to 100 items of {"UserID": ...})`);
    const ids = req.get('DeleteItem').map((i) => i.UserID);
    const admins = ids.filter((id) => ctx.app.admins.has(id));
    if (admins.length > 0) return fail(70402, `${admins.join(', ')} is an app admin and cannot be deleted; remove it from PARLEY_ADMINS first`);
    const deleted = await ctx.deps.store.deleteAccounts(ctx.app.sdkappid, ids);
    return ok({
      ResultItem: ids.map((UserID) =>
        deleted.get(UserID) === true
          ? { ResultCode: 0, ResultInfo: '', UserID }
          : { ResultCode: 70107, ResultInfo: 'the account is not imported', UserID },
      ),
    });
  },
});
