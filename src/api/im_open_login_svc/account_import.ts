import { Type } from '@sinclair/typebox';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, UserId } from '../request.js';

export const AccountImport = requestSchema({
  UserID: Type.Optional(UserId),
  /** The older name of UserID (Tencent's 2020 page, still sent by older SDKs). */
  Identifier: Type.Optional(UserId),
  Nick: Type.Optional(Type.String()),
  FaceUrl: Type.Optional(Type.String()),
});

/** Imports one account (again, if it exists: Nick and FaceUrl are updated). */
export const account_import = defineApi({
  service: 'im_open_login_svc',
  command: 'account_import',
  request: AccountImport,
  invalidCode: 70402,
  summary: 'Import one account.',
  codes: [70402],
  async handle(ctx, body) {
    const req = AccountImport.read(body);
    const idField = req.has('UserID') || !req.has('Identifier') ? 'UserID' : 'Identifier';
    for (const field of [idField, 'Nick', 'FaceUrl'] as const) {
      if ((field === idField || req.has(field)) && !req.valid(field)) return fail(70402, req.problem(field));
    }
    const userId = req.get(idField) ?? '';
    await ctx.deps.store.importAccounts(ctx.app.sdkappid, [{ userId, nick: req.get('Nick'), faceUrl: req.get('FaceUrl') }]);
    return ok();
  },
});
