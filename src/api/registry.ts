import type { ApiDefinition } from './define.js';
import { add_group_member } from './group_open_http_svc/add_group_member.js';
import { change_group_owner } from './group_open_http_svc/change_group_owner.js';
import { forbid_send_msg } from './group_open_http_svc/forbid_send_msg.js';
import { get_group_member_info } from './group_open_http_svc/get_group_member_info.js';
import { get_appid_group_list } from './group_open_http_svc/get_appid_group_list.js';
import { get_joined_group_list } from './group_open_http_svc/get_joined_group_list.js';
import { get_group_muted_account } from './group_open_http_svc/get_group_muted_account.js';
import { get_group_shutted_uin } from './group_open_http_svc/get_group_shutted_uin.js';
import { get_role_in_group } from './group_open_http_svc/get_role_in_group.js';
import { modify_group_base_info } from './group_open_http_svc/modify_group_base_info.js';
import { modify_group_member_info } from './group_open_http_svc/modify_group_member_info.js';
import { create_group } from './group_open_http_svc/create_group.js';
import { delete_group_msg_by_sender } from './group_open_http_svc/delete_group_msg_by_sender.js';
import { delete_group_member } from './group_open_http_svc/delete_group_member.js';
import { destroy_group } from './group_open_http_svc/destroy_group.js';
import { get_group_info } from './group_open_http_svc/get_group_info.js';
import { group_msg_get_simple } from './group_open_http_svc/group_msg_get_simple.js';
import { group_msg_recall } from './group_open_http_svc/group_msg_recall.js';
import { import_group } from './group_open_http_svc/import_group.js';
import { import_group_member } from './group_open_http_svc/import_group_member.js';
import { import_group_msg } from './group_open_http_svc/import_group_msg.js';
import { send_group_msg } from './group_open_http_svc/send_group_msg.js';
import { send_group_system_notification } from './group_open_http_svc/send_group_system_notification.js';
import { set_unread_msg_num } from './group_open_http_svc/set_unread_msg_num.js';
import { account_check } from './im_open_login_svc/account_check.js';
import { account_delete } from './im_open_login_svc/account_delete.js';
import { account_import } from './im_open_login_svc/account_import.js';
import { kick } from './im_open_login_svc/kick.js';
import { multiaccount_import } from './im_open_login_svc/multiaccount_import.js';
import { create_topic } from './million_group_open_http_svc/create_topic.js';
import { get_history } from './open_msg_svc/get_history.js';
import { portrait_get } from './profile/portrait_get.js';
import { portrait_set } from './profile/portrait_set.js';
import { destroy_topic } from './million_group_open_http_svc/destroy_topic.js';
import { get_topic } from './million_group_open_http_svc/get_topic.js';
import { modify_topic } from './million_group_open_http_svc/modify_topic.js';
import { admin_getroammsg } from './openim/admin_getroammsg.js';
import { admin_msgwithdraw } from './openim/admin_msgwithdraw.js';
import { admin_set_msg_read } from './openim/admin_set_msg_read.js';
import { delete_c2c_msg_ramble } from './openim/delete_c2c_msg_ramble.js';
import { get_c2c_unread_msg_num } from './openim/get_c2c_unread_msg_num.js';
import { importmsg } from './openim/importmsg.js';
import { batchsendmsg } from './openim/batchsendmsg.js';
import { modify_c2c_msg } from './openim/modify_c2c_msg.js';
import { modify_group_msg } from './openim/modify_group_msg.js';
import { query_online_status } from './openim/query_online_status.js';
import { sendmsg } from './openim/sendmsg.js';

/** Every API parley serves, in the order the README lists them. */
export const APIS: readonly ApiDefinition[] = [
  account_import,
  multiaccount_import,
  account_delete,
  account_check,
  portrait_set,
  portrait_get,
  sendmsg,
  batchsendmsg,
  admin_getroammsg,
  admin_msgwithdraw,
  modify_c2c_msg,
  importmsg,
  delete_c2c_msg_ramble,
  admin_set_msg_read,
  get_c2c_unread_msg_num,
  create_group,
  get_group_info,
  add_group_member,
  delete_group_member,
  destroy_group,
  get_group_member_info,
  get_joined_group_list,
  get_appid_group_list,
  modify_group_base_info,
  modify_group_member_info,
  change_group_owner,
  get_role_in_group,
  forbid_send_msg,
  get_group_muted_account,
  get_group_shutted_uin,
  send_group_msg,
  group_msg_get_simple,
  group_msg_recall,
  send_group_system_notification,
  import_group,
  import_group_member,
  import_group_msg,
  set_unread_msg_num,
  delete_group_msg_by_sender,
  create_topic,
  get_topic,
  modify_topic,
  destroy_topic,
  modify_group_msg,
  kick,
  query_online_status,
  get_history,
];
