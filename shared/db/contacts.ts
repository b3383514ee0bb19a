// Contact-form requests: CONTACT#<id>, listed newest first through gsi2 (CONTACTS, <receivedAt>).
// The row is written before any email goes out and then marks whether the email was handed over.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

export interface ContactRow {
  requestId: string;
  name: string;
  email: string;
  company?: string;
  message: string;
  sourceIp: string;
  receivedAt: string;
  mailStatus: 'pending' | 'sent' | 'failed';
  mailId?: string;
}

const key = (requestId: string) => ({ pk: `CONTACT#${requestId}`, sk: 'CONTACT' });

export function contactsRepository(t: TableRef) {
  return {
    async create(row: ContactRow): Promise<void> {
      await t.doc.send(
        new PutCommand({
          TableName: t.tableName,
          Item: { ...key(row.requestId), entity: 'contact', gsi2pk: 'CONTACTS', gsi2sk: row.receivedAt, ...row },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async markMail(requestId: string, outcome: { status: 'sent'; mailId: string } | { status: 'failed' }): Promise<void> {
      await t.doc.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: key(requestId),
          UpdateExpression: outcome.status === 'sent' ? 'SET mailStatus = :s, mailId = :m' : 'SET mailStatus = :s',
          ExpressionAttributeValues: outcome.status === 'sent' ? { ':s': 'sent', ':m': outcome.mailId } : { ':s': 'failed' },
        }),
      );
    },
  };
}

export type ContactsRepository = ReturnType<typeof contactsRepository>;
