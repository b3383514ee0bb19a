// The rebuild's read of the whole table (shared/domain/reindex.ts, `npm run reindex`): the one Scan
// the design allows, for derived data only. One page of one segment of a parallel Scan, filtered to
// the rows the derived data is made from or kept in, keys only (every row is read again, strongly
// consistent, by the use case that rebuilds from it):
//   USER#<sub> / SETTINGS, / SUBSCRIPTION   a customer: the sources of their index entry and counters;
//   USER#<sub> / CALL#<startedAt>#<callId>  a call: counted in its month's counters;
//   CUSTOMER#<sub> / LISTING                an index entry: removed when its customer is gone.
// A page's position is DynamoDB's LastEvaluatedKey: a key of the table, handed back as it came.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CALL_KEYS, callIdOfKey, type CallRowId } from './calls';
import type { TableRef } from './client';
import { CUSTOMER_LISTING_KEYS, CUSTOMER_SOURCE_KEYS, customerIdOfSourceKey, customerOfListingKey } from './customers';

/** A row the rebuild works from: a customer's source row, an index entry, or a call (its key, for the counters). */
export type DerivedSource =
  | { kind: 'customer'; userId: string }
  | { kind: 'indexEntry'; userId: string }
  | { kind: 'call'; id: CallRowId };

/** Where a segment's Scan continues: the last key a page read (opaque to the caller). */
export type ScanPosition = Record<string, unknown>;

export interface DerivedSourcePage {
  rows: DerivedSource[];
  /** Items the Scan read for this page (before its filter). */
  scanned: number;
  /** The next page's start; undefined when the segment is read to its end. */
  next?: ScanPosition;
}

export function derivedSourcesRepository(t: TableRef) {
  return {
    async page(input: { segment: number; totalSegments: number; start?: ScanPosition; limit: number }): Promise<DerivedSourcePage> {
      const res = await t.doc.send(
        new ScanCommand({
          TableName: t.tableName,
          Segment: input.segment,
          TotalSegments: input.totalSegments,
          ExclusiveStartKey: input.start,
          Limit: input.limit,
          FilterExpression:
            '(begins_with(pk, :user) AND (sk = :settings OR sk = :subscription OR begins_with(sk, :call))) OR (begins_with(pk, :customer) AND sk = :listing)',
          ExpressionAttributeValues: {
            ':user': CUSTOMER_SOURCE_KEYS.pk,
            ':settings': CUSTOMER_SOURCE_KEYS.settingsSk,
            ':subscription': CUSTOMER_SOURCE_KEYS.subscriptionSk,
            ':call': CALL_KEYS.sk,
            ':customer': CUSTOMER_LISTING_KEYS.pk,
            ':listing': CUSTOMER_LISTING_KEYS.sk,
          },
          ProjectionExpression: 'pk, sk',
        }),
      );
      const rows = (res.Items ?? []).map((item): DerivedSource => {
        const pk = String(item.pk);
        const sk = String(item.sk);
        if (pk.startsWith(CUSTOMER_LISTING_KEYS.pk)) return { kind: 'indexEntry', userId: customerOfListingKey(pk) };
        if (sk.startsWith(CALL_KEYS.sk)) return { kind: 'call', id: callIdOfKey({ pk, sk }) };
        return { kind: 'customer', userId: customerIdOfSourceKey({ pk, sk }).userId };
      });
      return { rows, scanned: res.ScannedCount ?? 0, next: res.LastEvaluatedKey };
    },
  };
}

export type DerivedSourcesRepository = ReturnType<typeof derivedSourcesRepository>;
