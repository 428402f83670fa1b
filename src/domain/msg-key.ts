import { crc32 } from 'node:zlib';

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

/** Tencent's internal account numbers (tinyIds) start near 2^57; parley derives one per sender. */
const TINY_ID_BASE = 2n ** 57n;

/**
 * The MsgId a send answers with, in Tencent's shape `{sender tinyId}-{MsgTime}-{MsgRandom}`. parley
 * keeps no tinyIds, so the sender's is derived from its UserID: stable, and the same on every node.
 */
export function formatMsgId(from: string, time: number, random: number): string {
  return `${TINY_ID_BASE + BigInt(crc32(from))}-${time}-${random}`;
}
