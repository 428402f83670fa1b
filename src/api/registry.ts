import type { ApiDefinition } from './define.js';
import { account_check } from './im_open_login_svc/account_check.js';
import { account_delete } from './im_open_login_svc/account_delete.js';
import { account_import } from './im_open_login_svc/account_import.js';
import { multiaccount_import } from './im_open_login_svc/multiaccount_import.js';
import { admin_getroammsg } from './openim/admin_getroammsg.js';
import { admin_msgwithdraw } from './openim/admin_msgwithdraw.js';
import { batchsendmsg } from './openim/batchsendmsg.js';
import { modify_c2c_msg } from './openim/modify_c2c_msg.js';
import { sendmsg } from './openim/sendmsg.js';

/** Every API parley serves, in the order the README lists them. */
export const APIS: readonly ApiDefinition[] = [
  account_import,
  multiaccount_import,
  account_delete,
  account_check,
  sendmsg,
  batchsendmsg,
  admin_getroammsg,
  admin_msgwithdraw,
  modify_c2c_msg,
];
