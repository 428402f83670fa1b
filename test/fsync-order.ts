/**
 * Reads a trace of parley's system calls (`strace -f -ttt -T -y`) and finds every HTTP answer
 * written while some write to the WAL was not yet on disk: an answer must come after a sync of the
 * WAL (fsync or fdatasync) that began after the last WAL write before it and ended before it.
 */

/** One system call: when it began and ended (seconds), what it was and on which file. */
interface Call {
  readonly name: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const WRITES = new Set(['write', 'pwrite', 'pwrite64', 'writev', 'pwritev', 'pwritev2']);
const SYNCS = new Set(['fsync', 'fdatasync']);
const SOCKET_WRITES = new Set(['write', 'writev', 'sendmsg', 'sendto']);

/** `1234  1795459034.337371 fsync(19</d/parley.db-wal>) = 0 <0.000517>`, or its unfinished half. */
const WHOLE = /^(\d+)\s+(\d+\.\d+)\s+(\w+)\(\d+<([^>]*)>(.*?)(?: <unfinished \.\.\.>|<(\d+\.\d+)>)$/;
/** `1234  1795459034.338000 <... fsync resumed>) = 0 <0.000517>`: the rest of an unfinished call. */
const RESUMED = /^(\d+)\s+\d+\.\d+\s+<\.\.\. (\w+) resumed>(.*)<(\d+\.\d+)>$/;

/** The calls of a trace, each with its start and end (a call split across lines is joined). */
export function parseTrace(trace: string): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, { name: string; path: string; start: number; text: string }>();
  for (const line of trace.split('\n')) {
    const whole = WHOLE.exec(line);
    if (whole !== null) {
      const [, pid = '', start = '', name = '', path = '', text = '', duration] = whole;
      if (duration === undefined) open.set(pid, { name, path, start: Number(start), text });
      else calls.push({ name, path, start: Number(start), end: Number(start) + Number(duration), text });
      continue;
    }
    const resumed = RESUMED.exec(line);
    if (resumed === null) continue;
    const [, pid = '', name = '', text = '', duration = ''] = resumed;
    const begun = open.get(pid);
    if (begun === undefined || begun.name !== name) continue;
    open.delete(pid);
    calls.push({ ...begun, text: begun.text + text, end: begun.start + Number(duration) });
  }
  return calls.sort((a, b) => a.start - b.start);
}

/** What the trace shows: answers, WAL writes and WAL syncs counted, and each answer sent too early. */
export interface SyncOrder {
  readonly answers: number;
  readonly walWrites: number;
  readonly walSyncs: number;
  readonly early: readonly string[];
}

export function checkSyncOrder(trace: string): SyncOrder {
  const calls = parseTrace(trace);
  const onWal = (c: Call) => c.path.endsWith('-wal');
  const walWrites = calls.filter((c) => onWal(c) && WRITES.has(c.name));
  const walSyncs = calls.filter((c) => onWal(c) && SYNCS.has(c.name));
  const answers = calls.filter((c) => SOCKET_WRITES.has(c.name) && (c.path.startsWith('socket:') || c.path.startsWith('TCP')) && c.text.includes('HTTP/1.1 200'));
  const early: string[] = [];
  for (const answer of answers) {
    const written = walWrites.filter((w) => w.end <= answer.start).at(-1);
    if (written === undefined) continue;
    const synced = walSyncs.some((s) => s.start >= written.end && s.end <= answer.start);
    if (!synced) early.push(`an answer at ${answer.start.toFixed(6)} s came before the sync of the WAL write ending at ${written.end.toFixed(6)} s`);
  }
  return { answers: answers.length, walWrites: walWrites.length, walSyncs: walSyncs.length, early };
}
