import { type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/**
 * The nine TIMMsgElement types of Tencent's Message Formats and their MsgContent, as schemas. The
 * schemas are closed; a key they do not know is dropped before the message is stored (or, with
 * PARLEY_STRICT_FIELDS=1, refused), so history holds only documented fields (decisions.md §2).
 */

const Str = Type.String();
const U32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
const Int32 = Type.Integer({ minimum: -0x80000000, maximum: 0x7fffffff });
const DownloadFlag = Type.Literal(2, { description: 'must be 2' });
const strict = { additionalProperties: false } as const;

const RelayItem = Type.Object(
  {
    From_Account: Type.Optional(Str),
    To_Account: Type.Optional(Str),
    GroupId: Type.Optional(Str),
    MsgSeq: U32,
    MsgRandom: U32,
    MsgTimeStamp: U32,
    MsgBody: Type.Array(Type.Unknown()),
    CloudCustomData: Type.Optional(Str),
  },
  strict,
);

/** MsgContent schema per MsgType. */
export const ELEMENT_CONTENT = {
  TIMTextElem: Type.Object({ Text: Str }, strict),
  TIMLocationElem: Type.Object(
    { Desc: Str, Latitude: Type.Number({ minimum: -90, maximum: 90 }), Longitude: Type.Number({ minimum: -180, maximum: 180 }) },
    strict,
  ),
  TIMFaceElem: Type.Object({ Index: Int32, Data: Str }, strict),
  TIMCustomElem: Type.Object(
    { Data: Str, Desc: Type.Optional(Str), Ext: Type.Optional(Str), Sound: Type.Optional(Str) },
    strict,
  ),
  TIMSoundElem: Type.Object(
    { Url: Str, UUID: Str, Size: Type.Optional(U32), Second: Type.Optional(U32), Download_Flag: DownloadFlag },
    strict,
  ),
  TIMImageElem: Type.Object(
    {
      UUID: Str,
      ImageFormat: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4), Type.Literal(255)]),
      ImageInfoArray: Type.Array(
        Type.Object(
          { Type: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]), Size: U32, Width: U32, Height: U32, URL: Str },
          strict,
        ),
        { minItems: 1, maxItems: 3 },
      ),
    },
    strict,
  ),
  TIMFileElem: Type.Object(
    { Url: Str, UUID: Str, FileSize: Type.Optional(U32), FileName: Type.Optional(Str), Download_Flag: DownloadFlag },
    strict,
  ),
  TIMVideoFileElem: Type.Object(
    {
      VideoUrl: Str,
      VideoUUID: Str,
      VideoSize: Type.Optional(U32),
      VideoSecond: Type.Optional(U32),
      VideoFormat: Type.Optional(Str),
      VideoDownloadFlag: DownloadFlag,
      ThumbUrl: Str,
      ThumbUUID: Str,
      ThumbSize: Type.Optional(U32),
      ThumbWidth: Type.Optional(U32),
      ThumbHeight: Type.Optional(U32),
      ThumbFormat: Type.Optional(Str),
      ThumbDownloadFlag: DownloadFlag,
    },
    strict,
  ),
  TIMRelayElem: Type.Object(
    {
      Title: Str,
      MsgNum: U32,
      CompatibleText: Str,
      AbstractList: Type.Array(Str),
      MsgList: Type.Optional(Type.Array(RelayItem)),
      JsonMsgKey: Type.Optional(Str),
    },
    strict,
  ),
} as const satisfies Record<string, TSchema>;

export type MsgType = keyof typeof ELEMENT_CONTENT;

/**
 * The element envelope; MsgContent is checked against its type's schema. Left open here: unknown
 * keys of elements are handled by normalizeMsgBody, not by the request's field check.
 */
export const MsgElement = Type.Object(
  { MsgType: Type.Union(Object.keys(ELEMENT_CONTENT).map((t) => Type.Literal(t))), MsgContent: Type.Object({}) },
  { description: 'TIMMsgElement' },
);

/** MsgBody as it appears in requests. */
export const MsgBody = Type.Array(MsgElement, { description: 'TIMMsgElement[]' });

const checkers = new Map<string, TypeCheck<TSchema>>(
  Object.entries(ELEMENT_CONTENT).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
);
const contentSchemas = new Map<string, TSchema>(Object.entries(ELEMENT_CONTENT));

/** Forwarded messages may nest forwarded messages, but not without end. */
const MAX_RELAY_DEPTH = 3;

/** Why MsgBody was refused: 90007 not an array, 90002 empty or an element is invalid. */
export type MsgBodyProblem = { readonly code: 90007 | 90002; readonly info: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstError(check: TypeCheck<TSchema>, value: unknown): string {
  const error = check.Errors(value).First();
  if (error === undefined) return 'is invalid';
  const path = error.path === '' ? '' : `${error.path.slice(1).replace(/\//g, '.')}: `;
  return `${path}${error.message.toLowerCase()}`;
}

/**
 * Checks a MsgBody and drops, in place, the keys its elements do not document (with `strict`, a
 * key that is not documented is refused instead); undefined when it is valid. What remains is what
 * gets stored.
 */
export function normalizeMsgBody(value: unknown, strict: boolean, name = 'MsgBody', depth = 0): MsgBodyProblem | undefined {
  if (!Array.isArray(value)) return { code: 90007, info: `${name} must be an array of TIMMsgElement objects` };
  if (value.length === 0) return { code: 90002, info: `${name} is empty; give at least one TIMMsgElement` };
  let customElements = 0;
  for (let i = 0; i < value.length; i++) {
    const where = `${name}[${i}]`;
    const element: unknown = value[i];
    if (!isPlainObject(element)) return { code: 90002, info: `${where} must be an object with MsgType and MsgContent` };
    for (const key of Object.keys(element)) {
      if (key === 'MsgType' || key === 'MsgContent') continue;
      if (strict) return { code: 90002, info: `${where} has an unknown field "${key}"; an element has only MsgType and MsgContent` };
      delete element[key];
    }
    const type = element['MsgType'];
    const check = typeof type === 'string' ? checkers.get(type) : undefined;
    if (check === undefined || typeof type !== 'string') {
      return { code: 90002, info: `${where}.MsgType must be one of ${[...checkers.keys()].join(', ')}` };
    }
    const content = element['MsgContent'];
    if (!isPlainObject(content)) return { code: 90002, info: `${where}.MsgContent must be an object` };
    if (!check.Check(content)) {
      // Most often a key the type does not document: drop such keys and look again.
      if (!strict) Value.Clean(contentSchemas.get(type) as TSchema, content);
      if (strict || !check.Check(content)) return { code: 90002, info: `${where}.MsgContent (${type}) ${firstError(check, content)}` };
    }
    if (type === 'TIMCustomElem' && ++customElements > 1) {
      return { code: 90002, info: `${where}: a message may hold at most one TIMCustomElem` };
    }
    if (type === 'TIMRelayElem') {
      const problem = checkRelay(content, `${where}.MsgContent`, strict, depth);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

function checkRelay(content: Record<string, unknown>, where: string, strict: boolean, depth: number): MsgBodyProblem | undefined {
  const list = content['MsgList'];
  const hasKey = content['JsonMsgKey'] !== undefined;
  if ((list === undefined) === !hasKey) return { code: 90002, info: `${where} must have exactly one of MsgList and JsonMsgKey` };
  if (!Array.isArray(list)) return undefined;
  if (depth >= MAX_RELAY_DEPTH) return { code: 90002, info: `${where}: forwarded messages nest more than ${MAX_RELAY_DEPTH} deep` };
  for (let i = 0; i < list.length; i++) {
    const problem = normalizeMsgBody((list[i] as { MsgBody: unknown }).MsgBody, strict, `${where}.MsgList[${i}].MsgBody`, depth + 1);
    if (problem !== undefined) return { code: 90002, info: problem.info };
  }
  return undefined;
}
