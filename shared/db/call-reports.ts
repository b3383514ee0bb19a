// Call reports: USER#<sub> / CALLREPORT#<reportedAt>#<reportId>, one row per report (a call reported
// twice is two rows, two emails), in the reporter's partition beside their calls. The route writes
// the row (conditional on the key being free: a report is created once); the notifyCallReport worker
// emails the review team from the row's INSERT and marks it (`mailId`, conditional on not being set),
// so a retried record sends nothing twice.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './query-all';
import type { Locale } from '../model/locale';
import type { TableRef } from './client';
import { markMailSent } from './conditional';
import { putIfAbsent } from './put-if-absent';
import { USER_PK_PREFIX, afterPrefix, idOfKeyParser, splitAtFirst, userIdOfPk, userPk } from './keys';

export interface CallReportRow {
  reportId: string;
  callId: string;
  /** The reported call's start, as stored on the call. */
  callStartedAt: string;
  description: string;
  /** The language the report is written in. */
  locale: Locale;
  /** The reporter's verified address (settings, else the token), when there is one: the review email's reply-to. */
  reporterEmail: string | null;
  reportedAt: string;
  /** Mailgun's id of the email to the review team, once sent. */
  mailId?: string;
  sentAt?: string;
}

/** The stream filter of the rows (an sk prefix no call row has: theirs is `CALL#`). */
export const CALL_REPORT_KEYS = { pk: USER_PK_PREFIX, sk: 'CALLREPORT#' } as const;

/** A report's id: the reporter, and when and under which id they reported, which its sort key is made of. */
export interface CallReportId {
  userId: string;
  reportedAt: string;
  reportId: string;
}

const key = ({ userId, reportedAt, reportId }: CallReportId) => ({ pk: userPk(userId), sk: `${CALL_REPORT_KEYS.sk}${reportedAt}#${reportId}` });

/** The report a stream record's keys name (the report time, an ISO instant, holds no `#`). */
export const callReportIdOfKey = idOfKeyParser<CallReportId>(
  'a call report',
  ({ pk, sk }) => {
    const [reportedAt, reportId] = splitAtFirst(afterPrefix(sk, CALL_REPORT_KEYS.sk), '#');
    return { userId: userIdOfPk(pk), reportedAt, reportId };
  },
  key,
);

const strip = (item: Record<string, unknown>): CallReportRow => {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
  return rest as unknown as CallReportRow;
};

export function callReportsRepository(t: TableRef) {
  return {
    /** Stores a new report; false when its key is taken (a report id drawn twice: never in practice). */
    async create(userId: string, row: CallReportRow): Promise<boolean> {
      return (await putIfAbsent(t, { ...key({ userId, reportedAt: row.reportedAt, reportId: row.reportId }), entity: 'callReport', ...row })).created;
    },

    /** The report as it is now (strongly consistent: a retried record must see its own mark). */
    async get(id: CallReportId): Promise<CallReportRow | undefined> {
      const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key(id), ConsistentRead: true }));
      return res.Item ? strip(res.Item) : undefined;
    },

    /** The keys of every report of one call (a deletion of the call removes them). */
    async keysOfCall(userId: string, callId: string): Promise<{ pk: string; sk: string }[]> {
      const rows = await queryAll(t, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :report)',
        FilterExpression: 'callId = :callId',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':report': CALL_REPORT_KEYS.sk, ':callId': callId },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      });
      return rows.map((r) => ({ pk: String(r.pk), sk: String(r.sk) }));
    },

    /** Marks the team's email sent; false when it was already marked (or the row is gone). */
    async markSent(id: CallReportId, mailId: string, sentAt: string): Promise<boolean> {
      return markMailSent(t, key(id), mailId, sentAt);
    },
  };
}

export type CallReportsRepository = ReturnType<typeof callReportsRepository>;
