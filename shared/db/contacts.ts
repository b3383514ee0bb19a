// Contact-form requests: CONTACT#<id>, listed newest first through gsi2 (CONTACTS, <receivedAt>).
// The route writes the row with `mailStatus: pending`; the deliverContactEmail worker sends the email
// from the row's INSERT on the stream and marks it `sent` with Mailgun's id.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';
import { applied } from './conditional';
import { afterPrefix, idOfKeyParser } from './keys';
import { putIfAbsent, type PutOutcome } from './put-if-absent';

export interface ContactRow {
  requestId: string;
  name: string;
  email: string;
  company?: string;
  message: string;
  sourceIp: string;
  receivedAt: string;
  mailStatus: 'pending' | 'sent';
  mailId?: string;
  sentAt?: string;
  /** When DynamoDB deletes the row (epoch seconds): personal data is not kept for ever. */
  ttl: number;
}

/** The entity's `pk` prefix, for the worker manifest's filter. */
export const CONTACT_PK_PREFIX = 'CONTACT#';

const key = (requestId: string) => ({ pk: `${CONTACT_PK_PREFIX}${requestId}`, sk: 'CONTACT' });

/** The request a contact row's keys (a stream record's) name. */
export const contactIdOfKey = idOfKeyParser<{ requestId: string }>('a contact request', ({ pk }) => ({ requestId: afterPrefix(pk, CONTACT_PK_PREFIX) }), ({ requestId }) => key(requestId));

export function contactsRepository(t: TableRef) {
  return {
    /** Stores a new request; when one with this id exists already, answers it instead (ALL_OLD). */
    async create(row: ContactRow): Promise<PutOutcome<ContactRow>> {
      return putIfAbsent<ContactRow>(t, { ...key(row.requestId), entity: 'contact', gsi2pk: 'CONTACTS', gsi2sk: row.receivedAt, ...row });
    },

    /** The row as it is now (a strongly consistent read: a worker must see its own last mark). */
    async get(requestId: string): Promise<ContactRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(requestId), ConsistentRead: true }));
      return res.Item as ContactRow | undefined;
    },

    /** Marks the email sent; false when the row was already marked (or is gone). */
    async markSent(requestId: string, mailId: string, sentAt: string): Promise<boolean> {
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(requestId),
            UpdateExpression: 'SET mailStatus = :sent, mailId = :id, sentAt = :at',
            ConditionExpression: 'mailStatus = :pending',
            ExpressionAttributeValues: { ':sent': 'sent', ':pending': 'pending', ':id': mailId, ':at': sentAt },
          }),
        ),
      );
    },
  };
}

export type ContactsRepository = ReturnType<typeof contactsRepository>;
