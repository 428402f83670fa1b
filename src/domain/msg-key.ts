/** The three parts of a one-to-one MsgKey, `{MsgSeq}_{MsgRandom}_{MsgTime}`. */
export interface MsgKeyParts {
  readonly seq: number;
  readonly random: number;
  readonly time: number;
}

const MSG_KEY = /^(\d{1,10})_(\d{1,10})_(\d{1,10})$/;
const U32_MAX = 0xffffffff;

/** Formats a MsgKey. */
export function formatMsgKey(parts: MsgKeyParts): string {
  return `${parts.seq}_${parts.random}_${parts.time}`;
}

/** Parses a MsgKey: three u32 in decimal joined by `_`; undefined for anything else. */
export function parseMsgKey(value: unknown): MsgKeyParts | undefined {
  if (typeof value !== 'string') return undefined;
  const m = MSG_KEY.exec(value);
  if (m === null) return undefined;
  const seq = Number(m[1]);
  const random = Number(m[2]);
  const time = Number(m[3]);
  if (seq > U32_MAX || random > U32_MAX || time > U32_MAX) return undefined;
  return { seq, random, time };
}
