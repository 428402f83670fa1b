/**
 * The hours of get_history. Tencent names an hour by its Beijing time (UTC+8, no daylight saving)
 * as YYYYMMDDHH, and writes a download URL's ExpireTime as "YYYY-MM-DD HH:MM:SS" in the same zone.
 */

/** Beijing time is UTC+8 all year. */
const BEIJING_OFFSET_SECONDS = 8 * 3600;
export const HOUR_SECONDS = 3600;
/** Hours an archive can be asked for: the 7 days (168 whole hours) before the current hour, as Tencent keeps its files 7 days. */
export const ARCHIVE_HOURS = 7 * 24;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The UNIX time of the start of the hour YYYYMMDDHH (Beijing time); undefined unless it names a real hour. */
export function parseMsgTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  const start = Date.UTC(year, month - 1, day, hour) / 1000 - BEIJING_OFFSET_SECONDS;
  // Date.UTC rolls 2024-02-30 over into March: only an hour that formats back to itself is real.
  return formatMsgTime(start) === text ? start : undefined;
}

/** YYYYMMDDHH (Beijing time) of the hour holding `unixSeconds`. */
export function formatMsgTime(unixSeconds: number): string {
  const d = new Date((unixSeconds + BEIJING_OFFSET_SECONDS) * 1000);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}`;
}

/** "YYYY-MM-DD HH:MM:SS" in Beijing time, as Tencent writes ExpireTime. */
export function formatBeijing(unixSeconds: number): string {
  const d = new Date((unixSeconds + BEIJING_OFFSET_SECONDS) * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The start of the hour holding `unixSeconds` (Beijing's offset is whole hours, so UTC hours line up). */
export function hourStart(unixSeconds: number): number {
  return Math.floor(unixSeconds / HOUR_SECONDS) * HOUR_SECONDS;
}

/** Why the hour starting at `start` cannot be archived at `now`, or undefined when it can. */
export function hourOutsideWindow(start: number, now: number): string | undefined {
  const current = hourStart(now);
  if (start >= current) return `the hour ${formatMsgTime(start)} is not over yet (Beijing time is now ${formatBeijing(now)}); ask for an hour that has ended`;
  const oldest = current - ARCHIVE_HOURS * HOUR_SECONDS;
  if (start < oldest) return `the hour ${formatMsgTime(start)} is more than 7 days ago; archives cover the hours from ${formatMsgTime(oldest)} to ${formatMsgTime(current - HOUR_SECONDS)} (Beijing time)`;
  return undefined;
}
