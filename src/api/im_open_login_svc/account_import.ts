import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, UserId } from '../request.js';

export const AccountImport = requestSchema({
  UserID: UserId,
  Nick: Type.Optional(Type.String()),
  FaceUrl: Type.Optional(Type.String()),
});

/** Imports one account (again, if it exists: Nick and FaceUrl are updated). */
export const account_import = defineApi({
  service: 'im_open_login_svc',
  command: 'account_import',
  summary: 'Import one account.',
  codes: [70402],
  async handle(ctx, body) {
    const req = AccountImport.read(body);
    if (req.unknownField !== undefined) return fail(70402, `unknown field "${req.unknownField}"; account_import takes UserID, Nick and FaceUrl`);
    for (const field of ['UserID', 'Nick', 'FaceUrl'] as const) {
      if ((field === 'UserID' || req.has(field)) && !req.valid(field)) return fail(70402, req.problem(field));
    }
    await ctx.deps.store.importAccounts(ctx.app.sdkappid, [{ userId: req.get('UserID'), nick: req.get('Nick'), faceUrl: req.get('FaceUrl') }]);
    return ok();
  },
});
