// Rows of several repositories in one round trip: each repository describes a read of one of its rows
// (`ItemRead`: the key it alone knows, and how the item becomes its typed row), a use case gathers the
// reads it needs, and `readTogether` asks for them all in one strongly consistent BatchGetItem. Keys
// DynamoDB leaves unprocessed (throttling, the 16 MB bound) are asked again after a short pause; more
// than 100 keys go in several requests.
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

export interface ItemKey {
  pk: string;
  sk: string;
}

export type Item = Record<string, unknown>;

/** One row to read: its key, and what its item (undefined: none) means. */
export interface ItemRead<T> {
  key: ItemKey;
  of: (item: Item | undefined) => T;
}

/** A read of several rows of one kind (the same meaning for each). */
export type Reads = Record<string, ItemRead<unknown> | readonly ItemRead<unknown>[]>;

export type ReadResults<R extends Reads> = {
  [K in keyof R]: R[K] extends readonly ItemRead<infer T>[] ? T[] : R[K] extends ItemRead<infer T> ? T : never;
};

/** What a use case is given to read rows together (the port; `itemsReader` is its adapter). */
export type ReadTogether = <R extends Reads>(reads: R) => Promise<ReadResults<R>>;

/** An item read as it is: for a repository's own rows it takes apart itself. */
export const rawRead = (key: ItemKey): ItemRead<Item | undefined> => ({ key, of: (item) => item });

const BATCH_KEYS = 100;
const ROUNDS = 8;
const id = (k: ItemKey) => `${k.pk}\u0000${k.sk}`;

export function itemsReader(t: TableRef): ReadTogether {
  return async <R extends Reads>(reads: R) => {
    const wanted = new Map<string, ItemKey>();
    for (const read of Object.values(reads)) for (const r of Array.isArray(read) ? read : [read]) wanted.set(id(r.key), r.key);
    const found = new Map<string, Item>();
    const all = [...wanted.values()];
    for (let i = 0; i < all.length; i += BATCH_KEYS) {
      let keys: Record<string, unknown>[] | undefined = all.slice(i, i + BATCH_KEYS).map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round >= ROUNDS) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${ROUNDS} rounds`);
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** round)));
        const res: BatchGetCommandOutput = await t.doc.send(new BatchGetCommand({ RequestItems: { [t.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of res.Responses?.[t.tableName] ?? []) found.set(id(item as ItemKey), item);
        keys = res.UnprocessedKeys?.[t.tableName]?.Keys;
      }
    }
    const out: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(reads)) {
      out[name] = Array.isArray(read) ? read.map((r: ItemRead<unknown>) => r.of(found.get(id(r.key)))) : (read as ItemRead<unknown>).of(found.get(id((read as ItemRead<unknown>).key)));
    }
    return out as ReadResults<R>;
  };
}
