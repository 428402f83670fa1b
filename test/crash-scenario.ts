import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { callApi, type Reply, text } from './helpers.js';
import type { ServerProcess } from './process.js';

// Acceptance: kill -9 parley while concurrent sends and modifications are in flight, restart it on
// the same data; every call answered OK is there (sends stored, modifications applied), nothing is
// torn, and parley starts cleanly. Several rounds, one store. Run on each store by crash.test.ts
// (SQLite) and crash.pg.test.ts (PostgreSQL).

/** Concurrent clients, each with its own conversation and one call in flight at a time. */
const WORKERS = 40;
/** Milliseconds of load before each SIGKILL, varied so the kill lands at different points. */
const ROUNDS = [700, 1000, 500, 850, 600, 950, 550, 800];
/** A round kills no sooner than this many calls were answered. */
const MIN_ANSWERED = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Content {
  readonly text: string;
  readonly data: string;
}

interface Patch {
  readonly text?: string;
  readonly data?: string;
}

/** A message the model knows is stored, with the content it must have. */
interface Known {
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
  key: string;
  content: Content;
}

type Call = { kind: 'send'; from: string; to: string; seq: number; random: number; content: Content } | { kind: 'modify'; target: Known; patch: Patch };

interface Worker {
  readonly id: number;
  readonly users: readonly [string, string];
  readonly messages: Known[];
  /** The call sent and not answered when the server died: it may or may not have taken effect. */
  inFlight: Call | undefined;
}

const identity = (seq: number, random: number) => `${seq}_${random}`;
const applied = (c: Content, p: Patch): Content => ({ text: p.text ?? c.text, data: p.data ?? c.data });
const show = (c: Content) => `text ${c.text.slice(0, 40)}${c.text.length > 40 ? `… (${c.text.length} chars)` : ''}, data ${JSON.stringify(c.data)}`;

let counter = 0;
/** A text no other call uses; one in ten is long enough to spill onto overflow pages. */
function uniqueText(tag: string): string {
  const t = `${tag}-${++counter}`;
  return Math.random() < 0.1 ? `${t}:${`${t}/`.repeat(Math.ceil(6000 / (t.length + 1)))}` : t;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function nextCall(w: Worker, round: number): Call {
  const tag = `r${round}w${w.id}`;
  if (w.messages.length === 0 || Math.random() < 0.35) {
    const [from, to] = Math.random() < 0.5 ? w.users : ([w.users[1], w.users[0]] as const);
    const content = { text: uniqueText(`${tag}-sent`), data: Math.random() < 0.5 ? `${tag}-data-${++counter}` : '' };
    return { kind: 'send', from, to, seq: w.id * 1_000_000 + ++counter, random: ++counter, content };
  }
  // The newest message half the time (modified over and over), else any, older rounds included.
  const target = Math.random() < 0.5 ? (w.messages[w.messages.length - 1] as Known) : pick(w.messages);
  const r = Math.random();
  const patch: Patch =
    r < 0.4 ? { text: uniqueText(`${tag}-mod`) } : r < 0.7 ? { data: `${tag}-moddata-${++counter}` } : { text: uniqueText(`${tag}-both`), data: `${tag}-bothdata-${++counter}` };
  return { kind: 'modify', target, patch };
}

function request(call: Call): [string, unknown] {
  if (call.kind === 'send') {
    const data = call.content.data === '' ? {} : { CloudCustomData: call.content.data };
    return ['openim/sendmsg', { From_Account: call.from, To_Account: call.to, MsgSeq: call.seq, MsgRandom: call.random, MsgBody: text(call.content.text), ...data }];
  }
  const { target, patch } = call;
  return [
    'openim/modify_c2c_msg',
    {
      From_Account: target.from,
      To_Account: target.to,
      MsgKey: target.key,
      ...(patch.text === undefined ? {} : { MsgBody: text(patch.text) }),
      ...(patch.data === undefined ? {} : { CloudCustomData: patch.data }),
    },
  ];
}

interface RoundStats {
  sends: number;
  modifications: number;
  inFlightSends: number;
  inFlightModifications: number;
  /** Problems seen while the server was still alive (they fail the test). */
  errors: string[];
}

/** Runs every worker against `url` until the server dies; resolves when all have stopped. */
async function load(workers: Worker[], url: string, round: number, killed: () => boolean, onAnswer: () => void, stats: RoundStats): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      for (;;) {
        const call = nextCall(w, round);
        w.inFlight = call;
        const [api, body] = request(call);
        let reply: Reply;
        try {
          reply = await callApi(url, api, body);
        } catch (error) {
          if (!killed()) stats.errors.push(`worker ${w.id}: ${api} failed before the kill: ${String(error)}`);
          return;
        }
        if (reply.ErrorCode !== 0) {
          stats.errors.push(`worker ${w.id}: ${api} answered ${reply.ErrorCode} ${reply.ErrorInfo}`);
          w.inFlight = undefined;
          return;
        }
        if (call.kind === 'send') {
          w.messages.push({ from: call.from, to: call.to, seq: call.seq, random: call.random, key: reply['MsgKey'] as string, content: call.content });
          stats.sends++;
        } else {
          call.target.content = applied(call.target.content, call.patch);
          stats.modifications++;
        }
        w.inFlight = undefined;
        onAnswer();
      }
    }),
  );
}

/** One conversation's whole history, page by page. */
async function history(url: string, owner: string, peer: string): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let cursor: { MaxTime: number; LastMsgKey?: string } = { MaxTime: 4294967295 };
  for (;;) {
    const r = await callApi(url, 'openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: 0, ...cursor });
    assert.equal(r.ErrorCode, 0, `admin_getroammsg: ${r.ErrorInfo}`);
    all.push(...(r['MsgList'] as Record<string, unknown>[]));
    if (r['Complete'] === 1) return all;
    cursor = { MaxTime: r['LastMsgTime'] as number, LastMsgKey: r['LastMsgKey'] as string };
  }
}

/** What a stored message holds, refusing anything that is not exactly one text element. */
function storedContent(m: Record<string, unknown>): Content {
  const body = m['MsgBody'];
  const t = Array.isArray(body) && body.length === 1 ? (body[0] as { MsgType?: unknown; MsgContent?: { Text?: unknown } }) : undefined;
  assert.ok(t?.MsgType === 'TIMTextElem' && typeof t.MsgContent?.Text === 'string', `torn MsgBody ${JSON.stringify(body)?.slice(0, 200)}`);
  assert.deepEqual(body, text(t.MsgContent.Text), `torn MsgBody ${JSON.stringify(body)?.slice(0, 200)}`);
  assert.equal(typeof m['CloudCustomData'], 'string');
  return { text: t.MsgContent.Text, data: m['CloudCustomData'] as string };
}

/**
 * Checks one worker's conversation against the model after a restart: every acknowledged send is
 * there with its MsgKey, and each message holds its last acknowledged content or (for the one call
 * that was in flight) that call's result, whole. Then settles the in-flight call as stored.
 * Returns whether the in-flight call took effect.
 */
async function verify(url: string, w: Worker): Promise<boolean | undefined> {
  const stored = new Map<string, Record<string, unknown>>();
  for (const m of await history(url, w.users[0], w.users[1])) {
    const id = identity(m['MsgSeq'] as number, m['MsgRandom'] as number);
    assert.ok(!stored.has(id), `worker ${w.id}: message ${id} is stored twice`);
    stored.set(id, m);
  }
  const call = w.inFlight;
  let tookEffect: boolean | undefined;
  for (const known of w.messages) {
    const id = identity(known.seq, known.random);
    const m = stored.get(id);
    assert.ok(m, `worker ${w.id}: the acknowledged send ${known.key} is lost`);
    stored.delete(id);
    assert.deepEqual(
      { From_Account: m['From_Account'], To_Account: m['To_Account'], MsgKey: m['MsgKey'], MsgFlagBits: m['MsgFlagBits'] },
      { From_Account: known.from, To_Account: known.to, MsgKey: known.key, MsgFlagBits: 0 },
      `worker ${w.id}: message ${known.key} changed identity`,
    );
    const actual = storedContent(m);
    const allowed = [known.content];
    if (call?.kind === 'modify' && call.target === known) allowed.push(applied(known.content, call.patch));
    assert.ok(
      allowed.some((c) => c.text === actual.text && c.data === actual.data),
      `worker ${w.id}: message ${known.key} holds ${show(actual)}; expected ${allowed.map(show).join(' or ')}`,
    );
    if (allowed.length === 2) tookEffect = actual.text !== known.content.text || actual.data !== known.content.data;
    known.content = actual;
  }
  if (call?.kind === 'send') {
    const id = identity(call.seq, call.random);
    const m = stored.get(id);
    tookEffect = m !== undefined;
    if (m !== undefined) {
      stored.delete(id);
      const actual = storedContent(m);
      assert.deepEqual(actual, call.content, `worker ${w.id}: the unanswered send ${id} is stored with other content`);
      assert.deepEqual([m['From_Account'], m['To_Account']], [call.from, call.to]);
      w.messages.push({ from: call.from, to: call.to, seq: call.seq, random: call.random, key: m['MsgKey'] as string, content: actual });
    }
  }
  assert.deepEqual([...stored.keys()], [], `worker ${w.id}: messages nobody sent are stored`);
  w.inFlight = undefined;
  return tookEffect;
}

/** Error and fatal lines in pino's output (warn is the level the child logs at). */
const errorLines = (output: string) => output.split('\n').filter((l) => /"level":(50|60)/.test(l));

/** How a crash test starts parley on its store (the same data each time) and checks the store itself. */
export interface CrashTarget {
  start(): Promise<ServerProcess>;
  /** The store's own consistency check, answering 'ok' when it passes. */
  integrity(): Promise<unknown>;
}

export const CRASH_TITLE = `kill -9 during ${WORKERS} concurrent clients' sends and modifications, ${ROUNDS.length} times: everything acknowledged survives, nothing is torn`;

/** The kill -9 rounds against `target`. */
export async function crashUnderLoad(t: TestContext, target: CrashTarget): Promise<void> {
  const workers: Worker[] = Array.from({ length: WORKERS }, (_, id) => ({ id, users: [`crash${id}a`, `crash${id}b`] as const, messages: [], inFlight: undefined }));
  let p = await target.start();
  t.after(() => p.stop('SIGKILL'));
  const imported = await callApi(p.url, 'im_open_login_svc/multiaccount_import', { Accounts: workers.flatMap((w) => [...w.users]) });
  assert.equal(imported.ErrorCode, 0, imported.ErrorInfo);

  const totals = { inFlightSends: 0, inFlightModifications: 0, tookEffect: 0 };
  for (const [round, ms] of ROUNDS.entries()) {
    const stats: RoundStats = { sends: 0, modifications: 0, inFlightSends: 0, inFlightModifications: 0, errors: [] };
    let killed = false;
    let killOnAnswer = false;
    let exited: ReturnType<ServerProcess['stop']> | undefined;
    const server = p;
    const kill = () => {
      if (killed) return;
      killed = true;
      exited = server.stop('SIGKILL');
    };
    const answered = () => stats.sends + stats.modifications;
    const running = load(workers, p.url, round, () => killed, () => killOnAnswer && kill(), stats);
    await sleep(ms);
    // On a busy machine the load may be slow to build up: give it time for some answered calls.
    for (const give = Date.now() + 10_000; answered() < MIN_ANSWERED && Date.now() < give; ) await sleep(20);
    assert.ok(answered() >= MIN_ANSWERED, `round ${round}: only ${answered()} calls were answered in ${ms} ms and 10 s more`);
    if (round % 2 === 1) {
      // Kill the instant an answer arrives: the rest of its group commit is then likely durable but unanswered.
      killOnAnswer = true;
      for (const give = Date.now() + 2000; !killed && Date.now() < give; ) await sleep(5);
    }
    kill();
    assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
    await running;
    assert.deepEqual(stats.errors, [], `round ${round}: calls failed while parley was up`);
    for (const w of workers) {
      if (w.inFlight?.kind === 'send') stats.inFlightSends++;
      if (w.inFlight?.kind === 'modify') stats.inFlightModifications++;
    }

    p = await target.start();
    assert.deepEqual(errorLines(p.output()), [], `round ${round}: parley logged errors while starting after the kill`);
    let tookEffect = 0;
    for (const w of workers) if ((await verify(p.url, w)) === true) tookEffect++;
    assert.equal(await target.integrity(), 'ok', `round ${round}: integrity check while parley runs`);
    totals.inFlightSends += stats.inFlightSends;
    totals.inFlightModifications += stats.inFlightModifications;
    totals.tookEffect += tookEffect;
    t.diagnostic(
      `round ${round}: killed after ${ms} ms${round % 2 === 1 ? ', on an answer' : ''}; answered OK ${stats.sends} sends, ${stats.modifications} modifications; ` +
        `in flight ${stats.inFlightSends} sends, ${stats.inFlightModifications} modifications, of which ${tookEffect} had taken effect`,
    );
  }
  // The kills did land mid-flight: otherwise the rounds proved less than they claim.
  assert.ok(totals.inFlightSends > 0 && totals.inFlightModifications > 0, `in-flight calls at the kills: ${JSON.stringify(totals)}`);
  const stored = workers.reduce((n, w) => n + w.messages.length, 0);
  t.diagnostic(`${stored} messages stored and checked after ${ROUNDS.length} kills`);

  const exit = await p.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, `parley did not exit 0 on SIGTERM:\n${p.output()}`);
  assert.deepEqual(errorLines(p.output()), [], 'parley logged errors');
  assert.equal(await target.integrity(), 'ok', 'integrity check after the clean stop');
}
