import { Type } from '@sinclair/typebox';
import { checker, UserId } from '../request.js';

/** The account list APIs take at most this many items per call. */
export const MAX_ITEMS = 100;

/** An item of CheckItem and DeleteItem. */
export const UserItem = Type.Object({ UserID: UserId }, { additionalProperties: false });
export const userItem = checker(UserItem);

/** Whether a list field holds 1 to MAX_ITEMS items; the items are judged one by one (decisions.md §3). */
export function isItemList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.length <= MAX_ITEMS;
}

/** The UserID an item names, as far as it names one, for its result entry ('' when it names none). */
export function namedUserId(item: unknown): string {
  const id: unknown = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as { UserID?: unknown }).UserID : item;
  if (typeof id === 'string') return id;
  // A number or boolean is shown as written; a nested structure (however deep) is not rendered.
  return typeof id === 'number' || typeof id === 'boolean' || id === null ? JSON.stringify(id) : '';
}
