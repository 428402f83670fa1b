import { defineApi } from '../define.js';
import { GetGroupMutedAccount, mutedList } from './muted-list.js';

/** get_group_muted_account under its older name, answering with the older field names. */
export const get_group_shutted_uin = defineApi({
  service: 'group_open_http_svc',
  command: 'get_group_shutted_uin',
  request: GetGroupMutedAccount,
  invalidCode: 10004,
  summary: 'The older name of get_group_muted_account (ShuttedUinList, ShuttedUntil).',
  codes: [10004, 10010, 10015],
  handle: (ctx, body) => mutedList(ctx, body, { list: 'ShuttedUinList', until: 'ShuttedUntil' }),
});
