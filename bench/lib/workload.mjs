// What the bench asks of parley: admin calls signed with a fixed app's key, the messages seeded
// before the modify phases, and one request builder per phase.
import { signUserSig } from '../../dist/src/usersig/sign.js';
import { CONNECTIONS } from './load.mjs';

export const SDKAPPID = 1400123456;
export const SECRET_KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const ADMIN = 'administrator';

/** Every phase parley can run, in the order a round runs them. */
export const ALL_PHASES = ['sendmsg', 'modify', 'send_group_msg', 'modify_group_msg'];
/** Phases that need a seeded group. */
export const GROUP_PHASES = ['send_group_msg', 'modify_group_msg'];

const userSig = signUserSig({ sdkappid: SDKAPPID, identifier: ADMIN, time: Math.floor(Date.now() / 1000), expire: 86_400 }, SECRET_KEY);
let random = Math.floor(Math.random() * 0x7fffffff);
/** A distinct u32 per call: sendmsg dedups on MsgRandom, and each URL carries its own `random`. */
const nextRandom = () => (random = (random + 1) >>> 0);
const path = (api) => `/v4/${api}?sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${encodeURIComponent(userSig)}&random=${nextRandom()}&contenttype=json`;
export const text = (t) => [{ MsgType: 'TIMTextElem', MsgContent: { Text: t } }];
const sendBody = (label, from = 'u1', to = 'u2') => {
  const msgRandom = nextRandom();
  return JSON.stringify({ From_Account: from, To_Account: to, MsgRandom: msgRandom, MsgBody: text(`${label} ${msgRandom}`) });
};
/** A modify_c2c_msg call's path and body: new text for the message `msgKey` from `from` to `to`. */
const modifyRequest = (from, to, msgKey) => ({
  path: path('openim/modify_c2c_msg'),
  body: JSON.stringify({ From_Account: from, To_Account: to, MsgKey: msgKey, MsgBody: text(`edited ${nextRandom()}`) }),
});

/** The accounts of the many-user configurations: u0000 .. u0999. */
export const USERS = Array.from({ length: 1000 }, (_, i) => `u${String(i).padStart(4, '0')}`);

/** A seeded PRNG (mulberry32): the same seed gives the same draws, numbers in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Two different indexes into USERS, drawn uniformly. */
export function randomPair(random) {
  const from = Math.floor(random() * USERS.length);
  const to = (from + 1 + Math.floor(random() * (USERS.length - 1))) % USERS.length;
  return [from, to];
}

/** A group message with a distinct Random (a repeated one inside 5 minutes is a duplicate). */
const groupSendBody = (groupId, label) => {
  const r = nextRandom();
  return JSON.stringify({ GroupId: groupId, From_Account: 'u1', Random: r, MsgBody: text(`${label} ${r}`) });
};

/** One admin call that must succeed; resolves with the answer. */
export async function call(baseUrl, api, body) {
  const response = await fetch(`${baseUrl}${path(api)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const reply = await response.json();
  if (response.status !== 200 || reply.ErrorCode !== 0) throw new Error(`${api}: HTTP ${response.status}, ErrorCode ${reply.ErrorCode} ${reply.ErrorInfo}`);
  return reply;
}

/** Runs `count` calls of `once`, CONNECTIONS at a time; resolves with their answers. */
async function repeat(count, once) {
  const answers = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      answers.push(await once());
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, count) }, worker));
  return answers;
}

/**
 * Imports u1 and u2 and stores `messages` messages u1 -> u2 (their MsgKeys are what modify edits);
 * with `group`, also creates a Public group and stores `messages` messages in it (MsgSeq 1..n).
 */
export async function seed(baseUrl, messages, { group }) {
  await call(baseUrl, 'im_open_login_svc/multiaccount_import', JSON.stringify({ Accounts: ['u1', 'u2'] }));
  const keys = (await repeat(messages, () => call(baseUrl, 'openim/sendmsg', sendBody('seed')))).map((reply) => reply.MsgKey);
  if (!group) return { keys, groupId: undefined };
  const created = await call(baseUrl, 'group_open_http_svc/create_group', JSON.stringify({ Owner_Account: 'u1', Type: 'Public', Name: 'bench', MemberList: [{ Member_Account: 'u2' }] }));
  await repeat(messages, () => call(baseUrl, 'group_open_http_svc/send_group_msg', groupSendBody(created.GroupId, 'seed')));
  return { keys, groupId: created.GroupId };
}

/** The baseline's requests: sendmsg's URL and body shape, so both servers read the same bytes. */
export const baselineRequest = () => ({ path: path('openim/sendmsg'), body: sendBody('bench message') });

/** A request builder per phase over what `seed` stored. */
export function requestsFor({ keys, groupId }, messages) {
  let edit = 0;
  return {
    sendmsg: baselineRequest,
    modify: () => modifyRequest('u1', 'u2', keys[edit++ % keys.length]),
    send_group_msg: () => ({ path: path('group_open_http_svc/send_group_msg'), body: groupSendBody(groupId, 'bench group message') }),
    modify_group_msg: () => ({
      path: path('openim/modify_group_msg'),
      body: JSON.stringify({ GroupId: groupId, MsgSeq: (edit++ % messages) + 1, MsgBody: text(`edited ${nextRandom()}`) }),
    }),
  };
}

/**
 * The many-user configurations' request builders: sendmsg between random pairs of USERS, and
 * modify_c2c_msg of a stored message drawn at random from `keys` ({ from, to, msgKey }) for each
 * request. `modified()` tells how many modify requests were built and how many distinct keys they
 * named, which bounds how many messages the store may show edited.
 */
export function usersRequests(keys, seed) {
  const random = seededRandom(seed);
  const named = new Set();
  let built = 0;
  return {
    requests: {
      sendmsg: () => {
        const [from, to] = randomPair(random);
        return { path: path('openim/sendmsg'), body: sendBody('bench message', USERS[from], USERS[to]) };
      },
      modify: () => {
        const index = Math.floor(random() * keys.length);
        built += 1;
        named.add(index);
        const key = keys[index];
        return modifyRequest(key.from, key.to, key.msgKey);
      },
    },
    modified: () => ({ built, distinct: named.size }),
  };
}
