import { type Static, type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/**
 * A request schema and a reader over a parsed body. The schema is the source of truth for which
 * fields exist and what they hold; the handler decides the order of checks and the code of each
 * failure, because Tencent's codes depend on which field failed first.
 */
export interface RequestReader<T extends TProperties> {
  /** The first field the API does not know, if any. */
  readonly unknownField: string | undefined;
  has(field: keyof T & string): boolean;
  /** Present and matching its schema. */
  valid(field: keyof T & string): boolean;
  /** The value; call only after `valid`. */
  get<K extends keyof T & string>(field: K): Static<T[K]>;
  /** Why a field is missing or invalid, for ErrorInfo. */
  problem(field: keyof T & string): string;
}

export interface RequestSchema<T extends TProperties> {
  readonly schema: TObject<T>;
  read(body: Readonly<Record<string, unknown>>): RequestReader<T>;
}

/** Declares the fields of a request body. */
export function requestSchema<T extends TProperties>(properties: T): RequestSchema<T> {
  const schema = Type.Object(properties, { additionalProperties: false });
  const checks = new Map<string, TypeCheck<TSchema>>(
    Object.entries(properties).map(([name, s]) => [name, TypeCompiler.Compile(s)]),
  );
  return {
    schema,
    read(body) {
      return {
        unknownField: Object.keys(body).find((k) => !checks.has(k)),
        has: (field) => body[field] !== undefined,
        valid: (field) => body[field] !== undefined && (checks.get(field)?.Check(body[field]) ?? false),
        get: (field) => body[field] as Static<T[typeof field]>,
        problem(field) {
          const value = body[field];
          if (value === undefined) return `${field} is required`;
          const error = checks.get(field)?.Errors(value).First();
          if (error === undefined) return `${field} is invalid`;
          const at = error.path === '' ? '' : ` at ${error.path.slice(1).replace(/\//g, '.')}`;
          return `${field} is invalid${at}: ${error.message.toLowerCase()}`;
        },
      };
    },
  };
}

/** An integer from 0 to 4294967295. */
export const U32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
/** A UserID: 1-32 bytes of printable ASCII with no whitespace. */
export const UserId = Type.String({ pattern: '^[\\x21-\\x7e]{1,32}$', description: 'UserID' });
