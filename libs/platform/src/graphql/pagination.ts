import { badInput } from './errors.js';

/** Opaque Relay cursors: base64url of `<kind>:<position>`, so clients cannot rely on their shape. */
export function encodeCursor(kind: string, position: string | number): string {
  return Buffer.from(`${kind}:${position}`, 'utf8').toString('base64url');
}

/** The position in a cursor of this kind; `position` says what a valid one looks like (it reaches SQL). */
export function decodeCursor(kind: string, cursor: string, position: RegExp): string {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const value = text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : undefined;
  if (value === undefined || !position.test(value)) throw badInput('the `after` cursor is not a cursor of this list', 'BAD_CURSOR');
  return value;
}

/** A cursor whose position is a non-negative integer (a height, a row id). */
export function decodeIntegerCursor(kind: string, cursor: string): number {
  const position = Number(decodeCursor(kind, cursor, /^(0|[1-9][0-9]{0,15})$/));
  if (!Number.isSafeInteger(position)) throw badInput('the `after` cursor is not a cursor of this list', 'BAD_CURSOR');
  return position;
}
