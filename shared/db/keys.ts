// The user's partition, `USER#<auth0 sub>`: every repository of a user's rows builds its keys from
// here, and reads a user id back from a key only through `userIdOfPk`; the phone lines' sort keys
// share one prefix, which three repositories and the partition's inventory read.
export const USER_PK_PREFIX = 'USER#';

/** The partition key of a user's rows. */
export const userPk = (userId: string) => `${USER_PK_PREFIX}${userId}`;

/** Every phone line's sort key in a user's partition starts so: INTEGRATION#POOL, #SIPGATE, #EXTERNAL. */
export const INTEGRATION_SK_PREFIX = 'INTEGRATION#';

/** The user a partition key names, or undefined when it is not a user's partition. */
export const userIdOfPk = (pk: unknown): string | undefined => (typeof pk === 'string' && pk.startsWith(USER_PK_PREFIX) ? pk.slice(USER_PK_PREFIX.length) : undefined);
