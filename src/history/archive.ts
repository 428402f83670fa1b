import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { formatMsgKey } from '../domain/msg-key.js';
import type { GroupMessage } from '../store/group-types.js';
import type { C2CMessage, Store } from '../store/types.js';
import type { ChatType } from './token.js';

/**
 * The hourly history archive of get_history: one JSON object per line (UTF-8, "\n" after each),
 * one line per message stored in the hour and not recalled, as it now stands, gzipped. Built from
 * the store on every request and never kept: a modification shows in the next build, and no copy
 * of destroyed content outlives the request that read it.
 */

/** Messages read per page: a busy hour streams through in pages, never held whole. */
export const ARCHIVE_PAGE = 500;

/** A one-to-one line: the fields of an admin_getroammsg entry that are the message's own. */
export function c2cLine(m: C2CMessage): Record<string, unknown> {
  return {
    From_Account: m.from,
    To_Account: m.to,
    MsgSeq: m.seq,
    MsgRandom: m.random,
    MsgTimeStamp: m.time,
    MsgKey: formatMsgKey(m),
    MsgBody: JSON.parse(m.body) as unknown,
    CloudCustomData: m.cloudCustomData,
  };
}

/** A group line: GroupId and TopicId ("" outside topics), then the fields of a group_msg_get_simple entry. */
export function groupLine(m: GroupMessage): Record<string, unknown> {
  return {
    GroupId: m.groupId,
    TopicId: m.topicId,
    From_Account: m.from,
    MsgSeq: m.seq,
    MsgRandom: m.random,
    MsgTimeStamp: m.time,
    MsgPriority: m.priority,
    MsgBody: JSON.parse(m.body) as unknown,
    CloudCustomData: m.cloudCustomData,
  };
}

/** Which archive: one app, one kind of chat, one hour [since, until). */
export interface ArchiveSpec {
  readonly app: number;
  readonly chatType: ChatType;
  readonly since: number;
  readonly until: number;
}

/**
 * The archive's uncompressed bytes, one chunk per page. The same messages always give the same
 * chunks, so two builds of an unchanged hour compress to the same bytes.
 */
export async function* archiveChunks(store: Store, spec: ArchiveSpec): AsyncGenerator<Buffer> {
  const { app, since, until } = spec;
  if (spec.chatType === 'C2C') {
    for (let after: C2CMessage | undefined; ; ) {
      const page = await store.archiveC2C(app, since, until, after, ARCHIVE_PAGE);
      if (page.length > 0) yield Buffer.from(page.map((m) => `${JSON.stringify(c2cLine(m))}\n`).join(''), 'utf8');
      if (page.length < ARCHIVE_PAGE) return;
      after = page[page.length - 1];
    }
  }
  for (let after: GroupMessage | undefined; ; ) {
    const page = await store.archiveGroup(app, since, until, after, ARCHIVE_PAGE);
    if (page.length > 0) yield Buffer.from(page.map((m) => `${JSON.stringify(groupLine(m))}\n`).join(''), 'utf8');
    if (page.length < ARCHIVE_PAGE) return;
    after = page[page.length - 1];
  }
}

/**
 * Gzips a stream of chunks (node:zlib, default level, so every build of the same chunks gives the
 * same bytes). An error of the source surfaces on the returned stream; destroying that stream
 * (a client gone) stops the source and its reads.
 */
export function gzipped(source: AsyncIterable<Buffer>): Readable {
  const gzip = createGzip();
  pipeline(Readable.from(source), gzip, () => {
    // pipeline destroys every stream with the error, so the reader of `gzip` sees it.
  });
  return gzip;
}

/** Sizes and MD5s (hex) of an archive before and after gzip, as get_history reports them. */
export interface ArchiveFacts {
  readonly fileSize: number;
  readonly fileMd5: string;
  readonly gzipSize: number;
  readonly gzipMd5: string;
}

/** Builds the archive once, counting and hashing it as it streams by, and keeps none of it. */
export async function measureArchive(store: Store, spec: ArchiveSpec): Promise<ArchiveFacts> {
  const raw = createHash('md5');
  let fileSize = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of archiveChunks(store, spec)) {
      raw.update(chunk);
      fileSize += chunk.length;
      yield chunk;
    }
  }
  const gz = createHash('md5');
  let gzipSize = 0;
  for await (const chunk of gzipped(counted())) {
    gz.update(chunk as Buffer);
    gzipSize += (chunk as Buffer).length;
  }
  return { fileSize, fileMd5: raw.digest('hex'), gzipSize, gzipMd5: gz.digest('hex') };
}
