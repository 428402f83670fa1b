import { Type } from '@sinclair/typebox';
import { checkTagValue, isKnownTag, unknownTagInfo } from '../../domain/profile-tags.js';
import { isUserId, printable, userIdProblem } from '../../domain/user-id.js';
import type { ProfileItem } from '../../store/profile-types.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';

export const PortraitSet = requestSchema({
  From_Account: Type.String(),
  /** Tag and Value of each field to set; Value's type depends on the tag (checked by domain/profile-tags.ts). */
  ProfileItem: Type.Array(Type.Object({ Tag: Type.String(), Value: Type.Unknown() }, { additionalProperties: false }), { minItems: 1 }),
});

/**
 * Sets standard and custom profile tags of one account, all or none. Tag_Profile_IM_Nick and
 * Tag_Profile_IM_Image are the Nick and FaceUrl that account_import sets.
 */
export const portrait_set = defineApi({
  service: 'profile',
  command: 'portrait_set',
  request: PortraitSet,
  invalidCode: 40001,
  summary: 'Set standard and custom profile tags of an account.',
  envelopeFields: { ErrorDisplay: '' },
  codes: [40001, 40003, 40009, 40601, 40605, 40610],
  async handle(ctx, body) {
    const req = PortraitSet.read(body);
    if (!req.valid('From_Account')) return fail(40001, req.problem('From_Account'));
    const from = req.get('From_Account');
    if (!isUserId(from)) return fail(40001, userIdProblem('From_Account', from));
    if (!req.valid('ProfileItem')) return fail(40001, `${req.problem('ProfileItem')}; ProfileItem is a list of 1 or more {Tag, Value}`);
    const items: ProfileItem[] = [];
    for (const { Tag, Value } of req.get('ProfileItem')) {
      if (!isKnownTag(Tag)) return fail(40009, unknownTagInfo(printable(Tag)));
      if (Value === undefined) return fail(40001, `ProfileItem ${Tag} has no Value`);
      const checked = checkTagValue(Tag, Value);
      if (!checked.ok) return fail(checked.code, checked.info);
      items.push({ tag: Tag, value: checked.json });
    }
    const done = await ctx.deps.store.setProfile(ctx.app.sdkappid, from, items);
    if (!done) return fail(40003, `From_Account "${from}" has not been imported (or was deleted); import it with account_import first`);
    return ok();
  },
});
