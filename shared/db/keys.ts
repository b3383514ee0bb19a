// The user's partition, `USER#<auth0 sub>`: every repository of a user's rows builds its keys from
// here, and reads a user id back from a key only through `userIdOfPk`; the phone lines' sort keys
// share one prefix, which three repositories and the partition's inventory read.
//
// A stream worker gets a row's raw keys; the row's repository turns them into its typed id with one
// parser built by `idOfKeyParser` from the repository's own key builder, so no prefix is spelled twice
// and a key of another entity is refused rather than sliced into a wrong id.
export const USER_PK_PREFIX = 'USER#';

/** The partition key of a user's rows. */
export const userPk = (userId: string) => `${USER_PK_PREFIX}${userId}`;

/** Every phone line's sort key in a user's partition starts so: INTEGRATION#POOL, #SIPGATE, #EXTERNAL. */
export const INTEGRATION_SK_PREFIX = 'INTEGRATION#';

/** The user a partition key names, or undefined when it is not a user's partition. */
export const userIdOfPk = (pk: unknown): string | undefined => (typeof pk === 'string' && pk.startsWith(USER_PK_PREFIX) ? pk.slice(USER_PK_PREFIX.length) : undefined);

/** A row's keys, as a stream record carries them. */
export interface RowKeys {
  pk: string;
  sk: string;
}

/** What follows `prefix` in `value`, or undefined when `value` does not start with it. */
export const afterPrefix = (value: string, prefix: string): string | undefined => (value.startsWith(prefix) ? value.slice(prefix.length) : undefined);

/** `value` cut at its first `separator` into the two sides; both undefined when there is none. */
export function splitAtFirst(value: string | undefined, separator: string): [string | undefined, string | undefined] {
  const at = value === undefined ? -1 : value.indexOf(separator);
  return at < 0 ? [undefined, undefined] : [value!.slice(0, at), value!.slice(at + separator.length)];
}

/** A row's keys given to the parser of another entity (a worker's filter that lets foreign rows through). */
export class UnexpectedKeyError extends Error {
  constructor(entity: string, keys: RowKeys) {
    super(`Not the key of ${entity}: pk ${JSON.stringify(keys.pk)}, sk ${JSON.stringify(keys.sk)}`);
    this.name = 'UnexpectedKeyError';
  }
}

/** The parts of an id as read from a key: each may be missing when the key is not the entity's. */
export type IdParts<I> = { [K in keyof I]: I[K] | undefined };

/**
 * A repository's parser from a row's keys to the row's typed id. `read` takes the keys apart; the id
 * stands only when every part was found (and is not empty) and the repository's key builder `build`
 * makes exactly these keys from it again. Anything else (another entity's key, a key the builder
 * never writes) throws an UnexpectedKeyError naming `entity`.
 */
export function idOfKeyParser<I extends object>(
  entity: string,
  read: (keys: RowKeys) => IdParts<I>,
  build: (id: I) => RowKeys,
): (keys: RowKeys) => I {
  return (keys) => {
    const parts = read(keys);
    if (Object.values(parts).some((part) => part === undefined || part === '')) throw new UnexpectedKeyError(entity, keys);
    const id = parts as I;
    const again = build(id);
    if (again.pk !== keys.pk || again.sk !== keys.sk) throw new UnexpectedKeyError(entity, keys);
    return id;
  };
}
