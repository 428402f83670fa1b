import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { measureArchive } from '../../history/archive.js';
import { formatBeijing, HOUR_SECONDS, hourOutsideWindow, parseMsgTime } from '../../history/hours.js';
import { downloadUrl } from '../../history/route.js';
import { type ChatType, signTicket } from '../../history/token.js';
import { type ApiContext, defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';

/** A download URL is good for this long after get_history hands it out. */
export const URL_SECONDS = 3600;

export const GetHistory = requestSchema({
  ChatType: Type.Union([Type.Literal('C2C'), Type.Literal('Group')]),
  // Tencent documents a string; some clients send the digits as a number, and are read liberally.
  MsgTime: Type.Union([Type.String(), Type.Integer({ minimum: 0 })]),
});

/** Where URLs point: PARLEY_PUBLIC_URL, else back the way the caller came. */
function baseUrl(ctx: ApiContext): string {
  const configured = ctx.deps.config.publicUrl;
  if (configured !== undefined) return configured;
  const host = ctx.host ?? `${ctx.deps.config.host}:${ctx.deps.config.port}`;
  return `${ctx.https ? 'https' : 'http'}://${host}`;
}

/**
 * Measures the archive of one hour (Beijing time) of the app's one-to-one or group messages and
 * answers a signed, expiring URL to it on parley itself, with its sizes and MD5s. An hour without
 * messages answers an empty File list. The file is rebuilt when downloaded and must still match.
 */
export const get_history = defineApi({
  service: 'open_msg_svc',
  command: 'get_history',
  request: GetHistory,
  invalidCode: 20001,
  summary: 'Get a download URL for the gzipped JSON-lines archive of one hour of one-to-one or group messages.',
  codes: [20001],
  async handle(ctx, body) {
    const req = GetHistory.read(body);
    if (!req.valid('ChatType')) return fail(20001, `${req.problem('ChatType')}; ChatType is "C2C" (one-to-one messages) or "Group" (group messages)`);
    const chatType: ChatType = req.get('ChatType');
    const msgTime = req.valid('MsgTime') ? String(req.get('MsgTime')) : undefined;
    const since = msgTime === undefined ? undefined : parseMsgTime(msgTime);
    if (msgTime === undefined || since === undefined) {
      return fail(20001, `${req.has('MsgTime') ? `MsgTime ${JSON.stringify(body['MsgTime'])} is not an hour` : 'MsgTime is required'}; give the hour as YYYYMMDDHH in Beijing time, such as "2015120121" for 21:00-21:59 on 1 December 2015`);
    }
    const now = nowSeconds(ctx.deps.clock);
    const outside = hourOutsideWindow(since, now);
    if (outside !== undefined) return fail(20001, outside);

    const app = ctx.app.sdkappid;
    const facts = await measureArchive(ctx.deps.store, { app, chatType, since, until: since + HOUR_SECONDS });
    if (facts.fileSize === 0) return ok({ File: [] });
    const expires = now + URL_SECONDS;
    const token = signTicket({ app, chatType, hour: msgTime, expires, gzipSize: facts.gzipSize, gzipMd5: facts.gzipMd5 }, ctx.app.secretKey);
    return ok({
      File: [
        {
          URL: downloadUrl(baseUrl(ctx), token),
          ExpireTime: formatBeijing(expires),
          FileSize: facts.fileSize,
          FileMD5: facts.fileMd5,
          GzipSize: facts.gzipSize,
          GzipMD5: facts.gzipMd5,
        },
      ],
    });
  },
});
