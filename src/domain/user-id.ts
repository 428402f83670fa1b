/** UserIDs are 1 to 32 bytes of printable ASCII with no whitespace (decisions.md §3). */
const USER_ID = /^[\x21-\x7e]{1,32}$/;

/** Whether a value is a valid UserID. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID.test(value);
}

/** Why a value is not a valid UserID, in words for ErrorInfo. */
export function userIdProblem(name: string, value: unknown): string {
  if (typeof value !== 'string') return `${name} must be a string`;
  if (value.length === 0) return `${name} is empty`;
  return `${name} "${printable(value)}" is not a valid UserID: use 1-32 bytes of printable ASCII without spaces`;
}

/** A short, log-safe rendering of user input for ErrorInfo. */
export function printable(value: string): string {
  const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}
