/**
 * The one error catalog. Every ErrorCode parley can put on the wire is declared here once, with
 * what it means and what the caller should do; docs/errors.md is generated from this table and a
 * test fails when the two drift.
 */

/** One catalog entry. */
export interface ErrorEntry {
  readonly meaning: string;
  readonly action: string;
}

export const ERRORS = {
  // Gateway: URL, envelope, authentication, frequency (Tencent's public 600xx/700xx codes).
  60002: { meaning: 'The HTTP request is malformed: not a POST, or a query parameter (contenttype, random) has a wrong value.', action: 'Send POST /v4/{service}/{command} with contenttype=json and random a u32, or omit them.' },
  60003: { meaning: 'The request body is not a JSON object, is not valid UTF-8, or is larger than 1 MiB.', action: 'Send one JSON object of at most 1 MiB, encoded as UTF-8.' },
  60004: { meaning: 'The identifier or usersig query parameter is missing.', action: 'Add identifier (an admin UserID) and usersig (a UserSig generated for it) to the URL.' },
  60006: { meaning: 'The sdkappid query parameter names no app served here.', action: 'Use the SDKAppID printed at start-up, or one from PARLEY_APPS_FILE.' },
  60007: { meaning: 'Too many calls of this API for this app in the last second.', action: 'Slow down and retry after a second; the call had no effect. PARLEY_RATE_LIMIT sets the limit.' },
  60009: { meaning: 'No such API: the {service}/{command} part of the URL is unknown.', action: 'Check the URL against the list of supported APIs in the README.' },
  60010: { meaning: 'The identifier is a valid user but not an app admin.', action: 'Call with an admin identifier (PARLEY_ADMINS) and its UserSig.' },
  60012: { meaning: 'The sdkappid query parameter is missing.', action: 'Add sdkappid to the URL.' },
  70001: { meaning: 'The UserSig has expired.', action: 'Generate a new UserSig; give it a validity of a day or more.' },
  70003: { meaning: 'The UserSig cannot be decoded (bad base64, zlib or JSON); it may be truncated.', action: 'Pass the UserSig exactly as the signer produced it, URL-encoded.' },
  70009: { meaning: 'The UserSig signature does not verify: it was made with another secret key or was altered.', action: 'Sign with the secret key of this SDKAppID.' },
  70013: { meaning: 'The identifier in the URL differs from the one the UserSig was generated for.', action: 'Use the UserSig generated for this identifier.' },
  70014: { meaning: 'The sdkappid in the URL differs from the one the UserSig was generated for.', action: 'Use a UserSig generated for this SDKAppID.' },
  70107: { meaning: 'The account has not been imported: for kick; per account in account_delete\'s ResultItem, and in batchsendmsg\'s and query_online_status\'s ErrorList.', action: 'Import it with account_import first.' },
  70402: { meaning: 'An account API (or query_online_status) was given an invalid parameter (UserID rules, list size, field types); for a bad item of a list, per item in its ResultItem entry.', action: 'Fix the field named in ErrorInfo (or ResultInfo); UserIDs are 1-32 bytes of printable ASCII without spaces.' },
  70500: { meaning: 'Internal server error.', action: 'Retry; if it persists, report the request id from ErrorInfo with the server log.' },

  // Groups (group_open_http_svc, million_group_open_http_svc).
  10002: { meaning: 'Internal server error.', action: 'Retry; if it persists, report the request id from ErrorInfo with the server log.' },
  10004: { meaning: 'A group API was given an invalid parameter.', action: 'Fix the field named in ErrorInfo.' },
  10007: { meaning: 'Not allowed: the sender is not a member of the group, or the group type does not support the operation (audio-video groups keep no history).', action: 'Add the sender to the group first, or use a group type that keeps history.' },
  10010: { meaning: 'The group (or the topic) does not exist, or has been destroyed.', action: 'Check the GroupId (and TopicId); create the group first.' },
  10014: { meaning: 'The group is full: MaxMemberCount would be exceeded.', action: 'Remove members first, or create the group with a larger MaxMemberCount.' },
  10015: { meaning: 'The GroupId is malformed.', action: 'Use the GroupId create_group returned: 1-48 bytes of printable ASCII without spaces.' },
  10016: { meaning: 'The app server refused the group message: its Group.CallbackBeforeSendMsg answered ErrorCode 1 or a refusal code of its own (named in ErrorInfo), or could not be asked and its failure policy refuses. Nothing was stored or delivered.', action: 'See why in ErrorInfo; the app server decides what may be sent.' },
  10017: { meaning: 'The sender is muted in this group: forbid_send_msg (or modify_group_member_info) muted it for a while, or the group (ShutUpAllMember) or the Community topic sent to (modify_topic MuteAllMember) is muted as a whole and the sender is neither the group owner nor an admin. Nothing was stored or delivered.', action: 'Wait until the mute ends (get_group_muted_account tells when), lift it with forbid_send_msg MuteTime 0 (or a whole-group or topic mute with MuteAllMember Off), or send as an app admin.' },
  10019: { meaning: 'An account named in the request has never been imported.', action: 'Import it with account_import first, or check the UserID.' },
  10021: { meaning: 'The GroupId (or TopicId) is already in use.', action: 'Choose another custom id, or leave it out to have one generated.' },
  10030: { meaning: 'The message to recall does not exist (per message, in RecallRetList).', action: 'Check the MsgSeq and TopicId.' },
  80002: { meaning: 'The group message is too long: MsgBody JSON plus CloudCustomData is over 12 KB.', action: 'Send at most 12,288 bytes (MsgBody JSON plus CloudCustomData); split longer content.' },
  110003: { meaning: 'The topic to destroy does not exist or has already been destroyed (per topic, in DestroyResultItem).', action: 'Nothing to do if it was destroyed before; otherwise check the TopicId.' },
  10032: { meaning: 'The message cannot be recalled because it already has been (per message, in RecallRetList).', action: 'Nothing to do: it is recalled.' },

  // Profiles (profile/portrait_set, profile/portrait_get): Tencent's 40xxx codes.
  40001: { meaning: 'A profile API was given an invalid parameter: From_Account or To_Account missing or not a UserID, ProfileItem or TagList missing, empty or malformed, more than 100 accounts.', action: 'Fix the field named in ErrorInfo.' },
  40003: { meaning: 'The account has not been imported (or was deleted): portrait_set\'s From_Account, or per account in portrait_get\'s UserProfileItem (ResultCode) and Fail_Account.', action: 'Import it with account_import first, or check the UserID.' },
  40009: { meaning: 'The profile tag does not exist: neither a standard Tag_Profile_IM_* tag nor Tag_Profile_Custom_ followed by 1 to 8 English letters.', action: 'Use a tag of Tencent\'s standard table or a custom tag named by its rule.' },
  40601: { meaning: 'A profile tag\'s Value is longer than 500 bytes (UTF-8).', action: 'Send at most 500 bytes per value.' },
  40605: { meaning: 'A standard profile tag\'s Value is not one of its documented values (Gender, AllowType, AdminForbidType), or an integer is out of its range.', action: 'Use a value listed in ErrorInfo.' },
  40610: { meaning: 'A profile tag\'s Value has the wrong type: a string for an integer tag (BirthDay, Language, MsgSettings, Level, Role) or the other way round, or neither a string nor an integer.', action: 'Send the type ErrorInfo names.' },

  // One-to-one messages and modify_c2c_msg (openim).
  20001: { meaning: 'The request is invalid: a required field is missing, malformed or out of range (for get_history: a ChatType other than C2C or Group, a MsgTime that is not YYYYMMDDHH, or an hour not yet over or more than 7 days ago), or there is nothing to do.', action: 'Fix the field named in ErrorInfo.' },
  20003: { meaning: 'From_Account has never been imported.', action: 'Import the account, or name the right one.' },
  20006: { meaning: 'The app server refused the one-to-one message: its C2C.CallbackBeforeSendMsg answered ErrorCode 1 or a refusal code of its own (named in ErrorInfo), or could not be asked and its failure policy refuses. Nothing was stored or delivered.', action: 'See why in ErrorInfo; the app server decides what may be sent.' },
  20022: { meaning: 'The message to recall does not exist.', action: 'Check From_Account, To_Account and MsgKey.' },
  20023: { meaning: 'The message has been recalled.', action: 'A recalled message can be neither recalled again nor modified.' },
  20026: { meaning: 'No stored message matches the given key.', action: 'Check the MsgKey (or GroupId and MsgSeq) and the accounts; query history to find it.' },
  90001: { meaning: 'The request body is not a JSON object, is not valid UTF-8, or is larger than 1 MiB.', action: 'Send one JSON object of at most 1 MiB, encoded as UTF-8.' },
  90002: { meaning: 'MsgBody is empty or one of its elements is invalid.', action: 'Send 1 or more valid TIMMsgElement objects, at most one TIMCustomElem; ErrorInfo names the element and field.' },
  90003: { meaning: 'To_Account (Peer_Account) is missing, not of the right type, or (for reading, recalling, deleting and read state) not imported.', action: 'Give To_Account as a UserID string (an array of them for batchsendmsg).' },
  90005: { meaning: 'MsgRandom is missing or not an integer from 0 to 4294967295.', action: 'Add a random u32 as MsgRandom.' },
  90006: { meaning: 'importmsg: MsgTimeStamp is missing, not an integer from 0 to 4294967295, or in the future.', action: 'Give the message\'s original UNIX time in seconds; only messages already sent can be imported.' },
  90007: { meaning: 'MsgBody is not an array.', action: 'Send MsgBody as an array of TIMMsgElement objects.' },
  90008: { meaning: 'From_Account (Operator_Account, Report_Account) is not a valid UserID, has not been imported, or (for sending and importing) was deleted.', action: 'Import the account, or name the right one.' },
  90009: { meaning: 'This API needs an app admin, and the identifier is not one.', action: 'Call with an admin identifier (PARLEY_ADMINS) and its UserSig.' },
  90010: { meaning: 'A field does not meet the message format: wrong type or range, or the message is over 12 KB.', action: 'Fix the field named in ErrorInfo; MsgBody JSON plus CloudCustomData must be at most 12,288 bytes.' },
  90011: { meaning: 'batchsendmsg names more than 500 recipients.', action: 'Split the recipients into calls of at most 500.' },
  90012: { meaning: 'To_Account has not been imported (for sending: or was deleted).', action: 'Import the account, or name the right one.' },
  90030: { meaning: 'importmsg: SyncFromOldSystem is missing or not one of its values.', action: 'Give 2 to import history (not unread, not pushed) or 5 to import in real time (unread, pushed); 1 is read as 5.' },
  90054: { meaning: 'MsgKey (or an item of MsgKeyList) is missing or malformed.', action: 'Pass the MsgKey exactly as sendmsg or admin_getroammsg returned it: three u32 joined by "_".' },
  91000: { meaning: 'Internal server error.', action: 'Retry; if it persists, report the request id from ErrorInfo with the server log.' },
} as const satisfies Record<number, ErrorEntry>;

/** Every ErrorCode parley can return (0 is success and not listed). */
export type ErrorCode = keyof typeof ERRORS;

/** The family an API belongs to decides the codes of gateway-level failures. */
export type Family = 'openim' | 'group' | 'other';

/** Gateway failures whose code depends on the family of the API called. */
export const FAMILY_CODES = {
  openim: { badBody: 90001, notAdmin: 90009, internal: 91000 },
  group: { badBody: 60003, notAdmin: 60010, internal: 10002 },
  other: { badBody: 60003, notAdmin: 60010, internal: 70500 },
} as const satisfies Record<Family, { badBody: ErrorCode; notAdmin: ErrorCode; internal: ErrorCode }>;

/** Codes any API can return before its own handler runs, in the order they are checked. */
export const GATEWAY_CODES = [60009, 60002, 60012, 60006, 60004, 70003, 70014, 70013, 70001, 70009, 60007] as const satisfies readonly ErrorCode[];

/** Family of a Tencent service name. */
export function familyOf(service: string): Family {
  if (service === 'openim') return 'openim';
  if (service === 'group_open_http_svc' || service === 'million_group_open_http_svc') return 'group';
  return 'other';
}
