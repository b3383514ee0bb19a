// Support tickets: TICKET#<number> (e.g. TICKET#FON-7K3M2Q), listed newest first through gsi2
// (TICKETS, <receivedAt>). The route writes the row, conditional on the number being free; the
// deliverTicketEmails worker sends two emails from the row's INSERT on the stream and marks each on
// the row separately (`supportMailId`, `confirmationMailId`), each mark conditional on not being set.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Locale } from '../model/locale';
import type { TicketPriority } from '../model/tickets';
import type { TableRef } from './client';
import { applied } from './conditional';
import { afterPrefix, idOfKeyParser } from './keys';
import { putIfAbsent, type PutOutcome } from './put-if-absent';

export interface TicketRow {
  ticketNumber: string;
  email: string;
  title: string;
  content: string;
  ticketPriority: TicketPriority;
  /** The sender's language (from Accept-Language at submission): their confirmation's. */
  locale: Locale;
  sourceIp: string;
  receivedAt: string;
  /** SHA-256 of the Idempotency-Key it was created with, if any: a retry of that request finds it. */
  idempotencyKeyHash?: string;
  /** Mailgun's id of the email to the support inbox, once sent. */
  supportMailId?: string;
  supportSentAt?: string;
  /** Mailgun's id of the confirmation to the sender, once sent. */
  confirmationMailId?: string;
  confirmationSentAt?: string;
  /** When DynamoDB deletes the row (epoch seconds): personal data is not kept for ever. */
  ttl: number;
}

/** The entity's `pk` prefix, for the worker manifest's filter. */
export const TICKET_PK_PREFIX = 'TICKET#';

/** The two emails of a ticket, each with its own mark on the row. */
export type TicketMail = 'support' | 'confirmation';
const MARK: Record<TicketMail, { id: string; at: string }> = {
  support: { id: 'supportMailId', at: 'supportSentAt' },
  confirmation: { id: 'confirmationMailId', at: 'confirmationSentAt' },
};

const key = (ticketNumber: string) => ({ pk: `${TICKET_PK_PREFIX}${ticketNumber}`, sk: 'TICKET' });

/** The ticket a ticket row's keys (a stream record's) name. */
export const ticketIdOfKey = idOfKeyParser<{ ticketNumber: string }>('a support ticket', ({ pk }) => ({ ticketNumber: afterPrefix(pk, TICKET_PK_PREFIX) }), ({ ticketNumber }) => key(ticketNumber));

export function ticketsRepository(t: TableRef) {
  return {
    /** Stores a new ticket if its number is free; otherwise answers the ticket that holds it (ALL_OLD). */
    async create(row: TicketRow): Promise<PutOutcome<TicketRow>> {
      return putIfAbsent<TicketRow>(t, { ...key(row.ticketNumber), entity: 'ticket', gsi2pk: 'TICKETS', gsi2sk: row.receivedAt, ...row });
    },

    /** The row as it is now (a strongly consistent read: a worker must see its own last marks). */
    async get(ticketNumber: string): Promise<TicketRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(ticketNumber), ConsistentRead: true }));
      return res.Item as TicketRow | undefined;
    },

    /** Marks one of the ticket's emails sent; false when it was already marked (or the row is gone). */
    async markSent(ticketNumber: string, mail: TicketMail, mailId: string, sentAt: string): Promise<boolean> {
      const { id, at } = MARK[mail];
      return applied(
        t.doc.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: key(ticketNumber),
            UpdateExpression: 'SET #id = :id, #at = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': id, '#at': at },
            ExpressionAttributeValues: { ':id': mailId, ':at': sentAt },
          }),
        ),
      );
    },
  };
}

export type TicketsRepository = ReturnType<typeof ticketsRepository>;
