// A stream worker hands its use case the typed id its repository's parser reads from the record's keys
// (shared/db/keys.ts `idOfKeyParser`). These check each parser against a row of its own (the one its
// worker's filter takes), against every other entity's row, and against keys its builder never writes.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { matches } from '../../lib/local/streams';
import { workers } from '../../lib/workers';
import { agentPhoneIdOfKey } from '../../shared/db/agent-phones';
import { callDeletionIdOfKey } from '../../shared/db/call-deletions';
import { callReportIdOfKey } from '../../shared/db/call-reports';
import { callIdOfKey } from '../../shared/db/calls';
import { contactIdOfKey } from '../../shared/db/contacts';
import { customerIdOfSourceKey } from '../../shared/db/customers';
import { deviceIdOfKey } from '../../shared/db/devices';
import { exportIdOfKey } from '../../shared/db/exports';
import { waitingAreaOfKey } from '../../shared/db/hotline-numbers';
import { hotlineIdOfKey } from '../../shared/db/hotlines';
import { UnexpectedKeyError, type RowKeys } from '../../shared/db/keys';
import { memberIdOfKey } from '../../shared/db/organizations';
import { partnerIdOfKey } from '../../shared/db/partners';
import { paymentFailureIdOfKey } from '../../shared/db/payment-failures';
import { numberReleaseIdOfKey } from '../../shared/db/number-releases';
import { poolNumberOfKey } from '../../shared/db/pool';
import { poolLineIdOfKey } from '../../shared/db/pool-lines';
import { subscriptionIdOfKey } from '../../shared/db/subscriptions';
import { teardownIdOfKey } from '../../shared/db/teardowns';
import { ticketIdOfKey } from '../../shared/db/tickets';
import { settingsIdOfKey } from '../../shared/db/users';
import { deliveryIdOfKey, recoveryIdOfKey } from '../../shared/db/webhook-deliveries';
import { webhookSubscriptionIdOfKey } from '../../shared/db/webhook-subscriptions';
import { filterPattern } from '../../shared/streams/worker-def';

const user = 'auth0|5f1c2d3e4b';

/** Per worker: its parser, a row of its entity, and the id the parser reads from it. */
const cases: { worker: string; parse: (keys: RowKeys) => unknown; keys: RowKeys; id: unknown }[] = [
  { worker: 'deliverContactEmail', parse: contactIdOfKey, keys: { pk: 'CONTACT#7c1e', sk: 'CONTACT' }, id: { requestId: '7c1e' } },
  { worker: 'deliverTicketEmails', parse: ticketIdOfKey, keys: { pk: 'TICKET#FON-7K3M2Q', sk: 'TICKET' }, id: { ticketNumber: 'FON-7K3M2Q' } },
  { worker: 'bindPoolNumber', parse: poolLineIdOfKey, keys: { pk: `USER#${user}`, sk: 'INTEGRATION#POOL' }, id: { userId: user } },
  { worker: 'sendSignInAlert', parse: deviceIdOfKey, keys: { pk: `USER#${user}`, sk: 'DEVICE#d-1' }, id: { userId: user, deviceId: 'd-1' } },
  { worker: 'notifyPaymentFailed', parse: paymentFailureIdOfKey, keys: { pk: `USER#${user}`, sk: 'PAYMENT_FAILED#in_1Q2w' }, id: { userId: user, invoiceId: 'in_1Q2w' } },
  {
    worker: 'sendCallSummary',
    parse: callIdOfKey,
    keys: { pk: `USER#${user}`, sk: 'CALL#2026-03-04T05:06:07.890Z#call-1' },
    id: { userId: user, startedAt: '2026-03-04T05:06:07.890Z', callId: 'call-1' },
  },
  {
    worker: 'notifyCallReport',
    parse: callReportIdOfKey,
    keys: { pk: `USER#${user}`, sk: 'CALLREPORT#2026-03-04T05:06:07.890Z#r-1' },
    id: { userId: user, reportedAt: '2026-03-04T05:06:07.890Z', reportId: 'r-1' },
  },
  { worker: 'sendPartnerInvite', parse: partnerIdOfKey, keys: { pk: 'PARTNER#p-1', sk: 'PROFILE' }, id: { partnerId: 'p-1' } },
  { worker: 'indexCustomer', parse: customerIdOfSourceKey, keys: { pk: `USER#${user}`, sk: 'SETTINGS' }, id: { userId: user, source: 'settings' } },
  { worker: 'indexCustomer', parse: customerIdOfSourceKey, keys: { pk: `USER#${user}`, sk: 'SUBSCRIPTION' }, id: { userId: user, source: 'subscription' } },
  { worker: 'sendEmailConfirmation', parse: settingsIdOfKey, keys: { pk: `USER#${user}`, sk: 'SETTINGS' }, id: { userId: user } },
  { worker: 'tearDownAccount', parse: teardownIdOfKey, keys: { pk: `USER#${user}`, sk: 'TEARDOWN' }, id: { userId: user } },
  { worker: 'provisionHotline', parse: hotlineIdOfKey, keys: { pk: 'HOTLINE#12', sk: 'HOTLINE' }, id: { hotlineId: 12 } },
  // The ring lists' worker takes three entities: a hotline, a member row, an agent phone.
  { worker: 'refreshRingLists', parse: hotlineIdOfKey, keys: { pk: 'HOTLINE#12', sk: 'HOTLINE' }, id: { hotlineId: 12 } },
  { worker: 'refreshRingLists', parse: memberIdOfKey, keys: { pk: 'ORG#3', sk: 'MEMBER#0000000007' }, id: { organizationID: 3, userID: 7 } },
  { worker: 'refreshRingLists', parse: agentPhoneIdOfKey, keys: { pk: `USER#${user}`, sk: 'HOTLINE#PHONE#0000000004' }, id: { sub: user, id: 4 } },
  { worker: 'notifyHotlineNumbersWanted', parse: waitingAreaOfKey, keys: { pk: 'HOTLINE_AREA#49#511', sk: 'WAITING' }, id: { countryCode: '49', areaCode: '511' } },
  { worker: 'syncPoolNumber', parse: subscriptionIdOfKey, keys: { pk: `USER#${user}`, sk: 'SUBSCRIPTION' }, id: { userId: user } },
  { worker: 'syncPoolNumber', parse: poolLineIdOfKey, keys: { pk: `USER#${user}`, sk: 'INTEGRATION#POOL' }, id: { userId: user } },
  { worker: 'assignPoolNumbers', parse: poolNumberOfKey, keys: { pk: 'POOL#+4921155590001', sk: 'NUMBER' }, id: { number: '+4921155590001' } },
  {
    worker: 'notifyNumberRelease',
    parse: numberReleaseIdOfKey,
    keys: { pk: `USER#${user}`, sk: 'NUMBER_RELEASE#2026-04-01T00:00:00.000Z' },
    id: { userId: user, effectiveAt: '2026-04-01T00:00:00.000Z' },
  },
  {
    worker: 'notifyNumberKept',
    parse: numberReleaseIdOfKey,
    keys: { pk: `USER#${user}`, sk: 'NUMBER_RELEASE#2026-04-01T00:00:00.000Z' },
    id: { userId: user, effectiveAt: '2026-04-01T00:00:00.000Z' },
  },
  {
    worker: 'dispatchWebhookDelivery',
    parse: deliveryIdOfKey,
    keys: { pk: `USER#${user}`, sk: 'WHDELIVERY#wh_AbC123xyz_-0000a#msg_0mxc3zc90a2095de18286fc30df2d' },
    id: { userId: user, subscriptionId: 'wh_AbC123xyz_-0000a', eventId: 'msg_0mxc3zc90a2095de18286fc30df2d' },
  },
  {
    worker: 'recoverWebhookDeliveries',
    parse: recoveryIdOfKey,
    keys: { pk: `USER#${user}`, sk: 'WHRECOVERY#wh_AbC123xyz_-0000a#rcv_1' },
    id: { userId: user, subscriptionId: 'wh_AbC123xyz_-0000a', recoveryId: 'rcv_1' },
  },
  { worker: 'notifyWebhookDisabled', parse: webhookSubscriptionIdOfKey, keys: { pk: `USER#${user}`, sk: 'WEBHOOK#wh_AbC123xyz_-0000a' }, id: { userId: user, subscriptionId: 'wh_AbC123xyz_-0000a' } },
  { worker: 'redateCalls', parse: settingsIdOfKey, keys: { pk: `USER#${user}`, sk: 'SETTINGS' }, id: { userId: user } },
  { worker: 'purgeCall', parse: callDeletionIdOfKey, keys: { pk: `USER#${user}`, sk: 'CALLDELETION#call-1' }, id: { userId: user, callId: 'call-1' } },
  { worker: 'produceExport', parse: exportIdOfKey, keys: { pk: `USER#${user}`, sk: 'EXPORT#1b4e28ba-2fa1-41d2-883f-0016d3cca427' }, id: { userId: user, exportId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' } },
];

const record = (worker: string, keys: RowKeys): DynamoDBRecord => ({
  eventName: workers[worker]!.on.events[0],
  // With the fields the `changed` filters watch (a hotline's or an export's status, a settings row's new
  // address request or re-dating, a release's announcement, a webhook delivery's dispatch, a recovery's
  // progress, an endpoint's disabling).
  dynamodb: {
    Keys: marshall(keys) as never,
    NewImage: marshall({ ...keys, status: 'created', pendingEmailRequestedAt: '2026-03-04T05:06:07.890Z', callRedating: { days: 30, requestedAt: '2026-03-04T05:06:07.890Z' }, announcedAt: '2026-03-04T05:06:07.890Z', dispatchRequestedAt: '2026-03-04T05:06:07.890Z', progress: 0, disabledAt: '2026-03-04T05:06:07.890Z' }) as never,
    SequenceNumber: '1',
  },
});

const refused = (parse: (keys: RowKeys) => unknown, keys: RowKeys) => expect(() => parse(keys), JSON.stringify(keys)).toThrow(UnexpectedKeyError);

describe('stream key parsers', () => {
  it.each(cases)("$worker: its filter's row parses to its typed id", ({ worker, parse, keys, id }) => {
    expect(matches(filterPattern(workers[worker]!), record(worker, keys))).toBe(true);
    expect(parse(keys)).toEqual(id);
  });

  it('every worker that reads a row by its key is covered (countCall reads its call from the image, emitWebhookEvents every row from its images)', () => {
    const covered = new Set(cases.map((c) => c.worker));
    expect(Object.keys(workers).filter((w) => !covered.has(w))).toEqual(['countCall', 'emitWebhookEvents']);
  });

  it("each parser refuses every other entity's row", () => {
    // Two workers may read one entity (a settings row: the customer index and the email confirmation).
    const ownRow = (parse: (keys: RowKeys) => unknown, keys: RowKeys) => cases.some((c) => c.parse === parse && c.keys.pk === keys.pk && c.keys.sk === keys.sk);
    for (const own of cases) {
      for (const other of cases) if (other.parse !== own.parse && !ownRow(own.parse, other.keys)) refused(own.parse, other.keys);
    }
  });

  it('refuses keys its builder never writes', () => {
    refused(teardownIdOfKey, { pk: 'USER#', sk: 'TEARDOWN' });
    refused(teardownIdOfKey, { pk: `CUSTOMER#${user}`, sk: 'TEARDOWN' });
    refused(teardownIdOfKey, { pk: `USER#${user}`, sk: 'TEARDOWNS' });
    refused(callIdOfKey, { pk: `USER#${user}`, sk: 'CALL#2026-03-04T05:06:07.890Z' });
    refused(callIdOfKey, { pk: `USER#${user}`, sk: 'CALL#2026-03-04T05:06:07.890Z#' });
    refused(paymentFailureIdOfKey, { pk: `USER#${user}`, sk: 'PAYMENT_FAILED#' });
    refused(customerIdOfSourceKey, { pk: `USER#${user}`, sk: 'ASSISTANT' });
    refused(hotlineIdOfKey, { pk: 'HOTLINE#007', sk: 'HOTLINE' });
    refused(hotlineIdOfKey, { pk: 'HOTLINE#', sk: 'HOTLINE' });
    refused(hotlineIdOfKey, { pk: 'HOTLINE#x', sk: 'HOTLINE' });
    refused(hotlineIdOfKey, { pk: 'HOTLINE#12', sk: 'CALL_LOG#0000000001' });
    refused(waitingAreaOfKey, { pk: 'HOTLINE_AREA#49', sk: 'WAITING' });
    refused(waitingAreaOfKey, { pk: 'HOTLINE_AREA#49#', sk: 'WAITING' });
    refused(waitingAreaOfKey, { pk: 'HOTLINE_AREA#49#0511x', sk: 'WAITING' });
    refused(waitingAreaOfKey, { pk: 'HOTLINE_AREA#49#511#1', sk: 'WAITING' });
    refused(waitingAreaOfKey, { pk: 'HOTLINE_AREA#49#511', sk: 'NUMBER' });
    refused(partnerIdOfKey, { pk: 'PARTNER_CODE#AB12', sk: 'CODE' });
    refused(memberIdOfKey, { pk: 'ORG#3', sk: 'MEMBER#7' });
    refused(memberIdOfKey, { pk: 'ORG#3', sk: 'PROFILE' });
    refused(memberIdOfKey, { pk: 'ORG#x', sk: 'MEMBER#0000000007' });
    refused(agentPhoneIdOfKey, { pk: `USER#${user}`, sk: 'HOTLINE#PHONE#' });
    refused(agentPhoneIdOfKey, { pk: `USER#${user}`, sk: 'HOTLINE#ORG#0000000003' });
    refused(agentPhoneIdOfKey, { pk: 'ORG#3', sk: 'HOTLINE#PHONE#0000000004' });
    refused(settingsIdOfKey, { pk: `USER#${user}`, sk: 'SETTINGSX' });
    refused(settingsIdOfKey, { pk: `CUSTOMER#${user}`, sk: 'SETTINGS' });
    refused(settingsIdOfKey, { pk: 'USER#', sk: 'SETTINGS' });
    refused(subscriptionIdOfKey, { pk: 'USER#', sk: 'SUBSCRIPTION' });
    refused(poolNumberOfKey, { pk: 'POOL#4921155590001', sk: 'NUMBER' });
    refused(poolNumberOfKey, { pk: 'POOL#+4921155590001', sk: 'NUMBERS' });
    refused(numberReleaseIdOfKey, { pk: `USER#${user}`, sk: 'NUMBER_RELEASE#' });
    refused(numberReleaseIdOfKey, { pk: `USER#${user}`, sk: 'NUMBER_RELEASE#next month' });
  });

  it("keeps a call id's own `#` (the start before it holds none)", () => {
    expect(callIdOfKey({ pk: `USER#${user}`, sk: 'CALL#2026-03-04T05:06:07.890Z#a#b' })).toEqual({ userId: user, startedAt: '2026-03-04T05:06:07.890Z', callId: 'a#b' });
  });

  it('names the entity and the keys it was given', () => {
    expect(() => teardownIdOfKey({ pk: 'CONTACT#1', sk: 'CONTACT' })).toThrow('Not the key of a teardown record: pk "CONTACT#1", sk "CONTACT"');
  });
});
