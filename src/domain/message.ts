import { crc32 } from 'node:zlib';

/** A message (MsgBody JSON plus CloudCustomData) may be at most this many bytes. */
export const MAX_MESSAGE_BYTES = 12_288;

/** Seconds within which an equal one-to-one send is a duplicate. */
export const C2C_DEDUP_SECONDS = 120;

/** The stored form of a message's content. */
export interface Content {
  /** JSON text of MsgBody. */
  readonly body: string;
  readonly cloudCustomData: string;
}

/** Size of a message as the 12 KB limit counts it. */
export function messageBytes(body: string | undefined, cloudCustomData: string | undefined): number {
  return (body === undefined ? 0 : Buffer.byteLength(body)) + (cloudCustomData === undefined ? 0 : Buffer.byteLength(cloudCustomData));
}

/** CRC32 of the content, the dedup fingerprint. */
export function contentCrc(content: Content): number {
  return crc32(content.cloudCustomData, crc32(`${content.body}\u0000`));
}

/** Whether a value is an integer from 0 to 4294967295. */
export function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}
