import { Type } from '@sinclair/typebox';
import { initialValue, isKnownTag, unknownTagInfo } from '../../domain/profile-tags.js';
import { isUserId, printable } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';

/** At most this many accounts per call (Tencent: "no more than 100 users each time"). */
export const MAX_ACCOUNTS = 100;

export const PortraitGet = requestSchema({
  To_Account: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_ACCOUNTS }),
  TagList: Type.Array(Type.String(), { minItems: 1 }),
});

/**
 * Reads profile tags of up to 100 accounts, in TagList order. A standard tag never set answers its
 * initial value ("", 0, or the documented default); a custom tag never set is left out. An account
 * that is not imported gets ResultCode 40003 and is listed in Fail_Account, as Tencent's sample shows.
 */
export const portrait_get = defineApi({
  service: 'profile',
  command: 'portrait_get',
  request: PortraitGet,
  invalidCode: 40001,
  summary: 'Read profile tags of up to 100 accounts.',
  envelopeFields: { ErrorDisplay: '' },
  codes: [40001, 40003, 40009],
  async handle(ctx, body) {
    const req = PortraitGet.read(body);
    if (!req.valid('To_Account')) return fail(40001, `${req.problem('To_Account')}; To_Account is a list of 1 to ${MAX_ACCOUNTS} UserIDs`);
    if (!req.valid('TagList')) return fail(40001, `${req.problem('TagList')}; TagList is a list of 1 or more profile tags`);
    const tags = [...new Set(req.get('TagList'))];
    const unknown = tags.find((t) => !isKnownTag(t));
    if (unknown !== undefined) return fail(40009, unknownTagInfo(printable(unknown)));
    const accounts = [...new Set(req.get('To_Account'))];
    const profiles = await ctx.deps.store.getProfiles(ctx.app.sdkappid, accounts.filter(isUserId), tags);
    const failed: string[] = [];
    const UserProfileItem = accounts.map((account) => {
      const stored = profiles.get(account);
      if (stored === undefined) {
        failed.push(account);
        return { To_Account: account, ResultCode: 40003, ResultInfo: `account "${printable(account)}" has not been imported` };
      }
      const ProfileItem = tags.flatMap((Tag) => {
        const json = stored.get(Tag);
        const Value: unknown = json === undefined ? initialValue(Tag) : JSON.parse(json);
        return Value === undefined ? [] : [{ Tag, Value }];
      });
      return { To_Account: account, ProfileItem, ResultCode: 0, ResultInfo: '' };
    });
    return ok(failed.length === 0 ? { UserProfileItem } : { UserProfileItem, Fail_Account: failed });
  },
});
