import { utf8Bytes } from './group-id.js';

/**
 * Profile tags (portrait_set, portrait_get): Tencent's standard `Tag_Profile_IM_*` tags with the
 * type, values and length of each (cloud.tencent.com/document/product/269/1500, 资料管理), and the
 * app's own `Tag_Profile_Custom_*` tags.
 */

/** The longest string value Tencent keeps for any tag, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 500;

/** What one standard tag holds, and what portrait_get answers for it before it is ever set. */
type TagSpec =
  | { readonly kind: 'string'; readonly initial: '' }
  | { readonly kind: 'u32'; readonly initial: 0 }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly initial: string };

const STRING = { kind: 'string', initial: '' } as const;
const U32 = { kind: 'u32', initial: 0 } as const;

/** The standard tags in the order of Tencent's table. */
export const STANDARD_TAGS: ReadonlyMap<string, TagSpec> = new Map<string, TagSpec>([
  ['Tag_Profile_IM_Nick', STRING],
  ['Tag_Profile_IM_Gender', { kind: 'enum', values: ['Gender_Type_Unknown', 'Gender_Type_Female', 'Gender_Type_Male'], initial: 'Gender_Type_Unknown' }],
  ['Tag_Profile_IM_BirthDay', U32],
  // The current Chinese page says 500 bytes, older and international ones 16: parley takes the larger.
  ['Tag_Profile_IM_Location', STRING],
  ['Tag_Profile_IM_SelfSignature', STRING],
  ['Tag_Profile_IM_AllowType', { kind: 'enum', values: ['AllowType_Type_NeedConfirm', 'AllowType_Type_AllowAny', 'AllowType_Type_DenyAny'], initial: 'AllowType_Type_NeedConfirm' }],
  ['Tag_Profile_IM_Language', U32],
  ['Tag_Profile_IM_Image', STRING],
  ['Tag_Profile_IM_MsgSettings', U32],
  ['Tag_Profile_IM_AdminForbidType', { kind: 'enum', values: ['AdminForbid_Type_None', 'AdminForbid_Type_SendOut'], initial: 'AdminForbid_Type_None' }],
  ['Tag_Profile_IM_Level', U32],
  ['Tag_Profile_IM_Role', U32],
]);

/** Tencent's naming rule for custom tags: the prefix, then a keyword of 1 to 8 English letters. */
const CUSTOM_TAG = /^Tag_Profile_Custom_[A-Za-z]{1,8}$/;

/** Whether portrait_set and portrait_get know the tag (a standard one, or a well-named custom one). */
export function isKnownTag(tag: string): boolean {
  return STANDARD_TAGS.has(tag) || CUSTOM_TAG.test(tag);
}

/** Why a tag is not known, for ErrorInfo. */
export function unknownTagInfo(tag: string): string {
  if (tag.startsWith('Tag_Profile_Custom_')) return `Tag "${tag}" is not a custom profile tag: after Tag_Profile_Custom_ come 1 to 8 English letters`;
  return `Tag "${tag}" does not exist: use a standard Tag_Profile_IM_* tag or Tag_Profile_Custom_ and 1 to 8 English letters`;
}

/** A checked value as JSON text, or the profile error code that refuses it. */
export type ValueCheck = { readonly ok: true; readonly json: string } | { readonly ok: false; readonly code: 40601 | 40605 | 40610; readonly info: string };

const isU32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

/** Checks a value against its (known) tag: the type (40610), the documented values (40605) and the length (40601). */
export function checkTagValue(tag: string, value: unknown): ValueCheck {
  const spec = STANDARD_TAGS.get(tag);
  if (typeof value === 'string') {
    if (spec !== undefined && spec.kind === 'u32') return { ok: false, code: 40610, info: `the Value of ${tag} is an integer from 0 to 4294967295, not a string` };
    if (spec !== undefined && spec.kind === 'enum' && !spec.values.includes(value)) return { ok: false, code: 40605, info: `the Value of ${tag} is one of ${spec.values.join(', ')}` };
    const bytes = utf8Bytes(value);
    if (bytes > MAX_VALUE_BYTES) return { ok: false, code: 40601, info: `the Value of ${tag} is ${bytes} bytes; at most ${MAX_VALUE_BYTES}` };
    return { ok: true, json: JSON.stringify(value) };
  }
  if (typeof value === 'number') {
    if (spec !== undefined && spec.kind !== 'u32') return { ok: false, code: 40610, info: `the Value of ${tag} is a string, not a number` };
    if (!Number.isInteger(value)) return { ok: false, code: 40610, info: `the Value of ${tag} is an integer` };
    // Custom integers are uint64 at Tencent; JSON numbers stay exact up to 2^53 - 1.
    if (spec !== undefined ? !isU32(value) : value < 0 || !Number.isSafeInteger(value)) {
      return { ok: false, code: 40605, info: `the Value of ${tag} is out of range: ${spec !== undefined ? '0 to 4294967295' : '0 to 9007199254740991'}` };
    }
    return { ok: true, json: JSON.stringify(value) };
  }
  return { ok: false, code: 40610, info: `the Value of ${tag} must be ${spec === undefined ? 'a string or an integer' : spec.kind === 'u32' ? 'an integer' : 'a string'}` };
}

/** What portrait_get answers for a standard tag never set; undefined for custom tags (left out until set). */
export function initialValue(tag: string): string | number | undefined {
  return STANDARD_TAGS.get(tag)?.initial;
}
