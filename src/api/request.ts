import { Kind, type Static, type TArray, type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/**
 * A request schema and a reader over a parsed body. The schema is the source of truth for which
 * fields exist and what they hold; the handler decides the order of checks and the code of each
 * failure, because Tencent's codes depend on which field failed first.
 */
export interface RequestReader<T extends TProperties> {
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

/** A compiled check of one schema that can say, in words for ErrorInfo, what is wrong with a value. */
export interface Checker<S extends TSchema> {
  check(value: unknown): value is Static<S>;
  /** Why `value` fails; `name` is how ErrorInfo refers to it. */
  problem(name: string, value: unknown): string;
}

/** Compiles a schema into a Checker. */
export function checker<S extends TSchema>(schema: S): Checker<S> {
  const compiled: TypeCheck<S> = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<S> => compiled.Check(value),
    problem(name, value) {
      if (value === undefined) return `${name} is required`;
      const error = compiled.Errors(value).First();
      if (error === undefined) return `${name} is invalid`;
      const at = error.path === '' ? '' : ` at ${error.path.slice(1).replace(/\//g, '.')}`;
      return `${name} is invalid${at}: ${error.message.toLowerCase()}`;
    },
  };
}

/** Declares the fields of a request body. */
export function requestSchema<T extends TProperties>(properties: T): RequestSchema<T> {
  const schema = Type.Object(properties, { additionalProperties: false });
  const checks = new Map<string, Checker<TSchema>>(Object.entries(properties).map(([name, s]) => [name, checker(s)]));
  return {
    schema,
    read(body) {
      return {
        has: (field) => body[field] !== undefined,
        valid: (field) => body[field] !== undefined && (checks.get(field)?.check(body[field]) ?? false),
        get: (field) => body[field] as Static<T[typeof field]>,
        problem: (field) => checks.get(field)?.problem(field, body[field]) ?? `${field} is invalid`,
      };
    },
  };
}

/** An integer from 0 to 4294967295. */
export const U32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
/** A UserID: 1-32 bytes of printable ASCII with no whitespace. */
export const UserId = Type.String({ pattern: '^[\\x21-\\x7e]{1,32}$', description: 'UserID' });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const kindOf = (schema: TSchema): string | undefined => (schema as { [Kind]?: string })[Kind];

/** Whether a schema declares a closed object anywhere in it; remembered, since schemas never change. */
const closedInside = new WeakMap<TSchema, boolean>();
function hasClosedObject(schema: TSchema): boolean {
  let known = closedInside.get(schema);
  if (known === undefined) {
    const kind = kindOf(schema);
    if (kind === 'Object') known = (schema as TObject).additionalProperties === false || Object.values((schema as TObject).properties).some(hasClosedObject);
    else known = kind === 'Array' && hasClosedObject((schema as TArray).items);
    closedInside.set(schema, known);
  }
  return known;
}

/**
 * The fields of a request that its schema does not know, as paths (`MemberList[0].ShutUpUntil`),
 * found wherever the schema declares an object closed. With `remove`, they are deleted from the
 * body, so handlers (and what they store) see only documented fields (decisions.md §2). Message
 * elements are open here: domain/elements.ts knows each MsgType's content. Only the parts of a
 * schema that hold a closed object are walked, so a message body costs nothing here.
 */
export function unknownFields(schema: TSchema, value: unknown, remove: boolean, path = '', found: string[] = []): string[] {
  const kind = kindOf(schema);
  if (kind === 'Object' && isObject(value)) {
    const { properties, additionalProperties } = schema as TObject;
    for (const key of Object.keys(value)) {
      // Own properties only: a field called "toString" is unknown like every other undeclared one.
      const inner = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (inner !== undefined) {
        if (hasClosedObject(inner)) unknownFields(inner, value[key], remove, path === '' ? key : `${path}.${key}`, found);
      } else if (additionalProperties === false) {
        found.push(path === '' ? key : `${path}.${key}`);
        if (remove) delete value[key];
      }
    }
  } else if (kind === 'Array' && Array.isArray(value) && hasClosedObject((schema as TArray).items)) {
    const items = (schema as TArray).items;
    value.forEach((item, i) => unknownFields(items, item, remove, `${path}[${i}]`, found));
  }
  return found;
}
