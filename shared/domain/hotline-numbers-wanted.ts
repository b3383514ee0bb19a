// notifyHotlineNumbersWanted — the worker, from the INSERT of an area's waiting row (HOTLINE_AREA#…,
// made when the first hotline of an area starts waiting for a number: shared/db/hotline-numbers.ts).
//   1. read the row as it is now (strongly consistent); nothing to do if it is gone (the area got
//      numbers meanwhile) or already marked;
//   2. email the support inbox (the team's inbox for what needs doing, as support tickets go there),
//      in TEAM_LOCALE: the area, how many hotlines wait, and what to do (buy a number there at Sipgate,
//      route it to the hotline trunk, import it), then mark `mailId` on the row.
//   So the admins get one email per area while hotlines wait there, however many do: the row lives
//   until the last of them has a number, and a later shortage makes a new row and a new email. A
//   failed send throws and the stream retries the record; a marked row sends nothing again. The
//   window that remains (Mailgun accepted, the mark not yet written) sends that one email again.
import type { HotlineNumbersRepository } from '../db/hotline-numbers';
import { hotlineNumbersWantedMail } from '../email/team';
import { areaLabel, type HotlineArea } from '../model/hotline-area';
import { TEAM_LOCALE } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';

export interface NumbersWantedDeps {
  numbers: Pick<HotlineNumbersRepository, 'waitingArea' | 'markWaitingAreaMailed'>;
  mailer: Mailer;
  /** Where the admins read what needs doing (SUPPORT_INBOX). */
  adminInbox: string;
  now?: () => Date;
}

export type NumbersWantedOutcome = 'sent' | 'already-sent' | 'gone';

export async function notifyHotlineNumbersWanted(deps: NumbersWantedDeps, area: HotlineArea): Promise<NumbersWantedOutcome> {
  const row = await deps.numbers.waitingArea(area);
  if (!row || row.waiting <= 0) return 'gone';
  if (row.mailId) return 'already-sent';
  const mail = hotlineNumbersWantedMail(TEAM_LOCALE, { area: areaLabel(area), waiting: row.waiting, since: row.since });
  const { id: mailId } = await deps.mailer.send({
    ...mail,
    to: deps.adminInbox,
    tags: ['hotline-numbers-wanted'],
    variables: { mail: 'hotline-numbers-wanted', countryCode: area.countryCode, areaCode: area.areaCode },
  });
  const marked = await deps.numbers.markWaitingAreaMailed(area, mailId, (deps.now?.() ?? new Date()).toISOString());
  if (!marked) logger.warn('hotline numbers email sent, but the area was marked or closed meanwhile', { ...area, mailId });
  return 'sent';
}
