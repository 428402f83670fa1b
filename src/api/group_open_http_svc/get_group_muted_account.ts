import { defineApi } from '../define.js';
import { GetGroupMutedAccount, mutedList } from './muted-list.js';

/** Lists the members of a group that are muted now, with when each mute ends. */
export const get_group_muted_account = defineApi({
  service: 'group_open_http_svc',
  command: 'get_group_muted_account',
  request: GetGroupMutedAccount,
  invalidCode: 10004,
  summary: 'List the muted members of a group and when their mutes end.',
  codes: [10004, 10010, 10015],
  handle: (ctx, body) => mutedList(ctx, body, { list: 'MutedAccountList', until: 'MutedUntil' }),
});
