// An export of everything Fonella holds about an account (GDPR Art. 15 and 20): one JSON document of
// a stated schema version, and the calls as CSV, made by a worker, kept a stated number of days in
// the exports bucket, fetched through short-lived links.
//
// requestExport — POST /v1/me/exports (the portal's token).
//   1. one export at a time: while another is being made (the account's lock, held until the export is
//      ready or EXPORT_LOCK_MINUTES passed) 409 `export-running`, nothing written;
//   2. a few a day (EXPORTS_PER_USER_PER_DAY, counted per user and UTC day): over it 429 `rate-limited`;
//   3. one transaction writes the export (`requested`) and takes the lock; the answer names the export.
//
// produceExport — the produceExport worker, from the export row's INSERT and each change of `status`.
//   `requested`: read the account's partition once (strongly consistent), run every section
//   (shared/db/account-export.ts EXPORT_SECTIONS) into the document, drop anything named like a
//   secret, write `fonella-export.json` and `calls.csv` to the bucket, mark the export `ready` with its
//   files and when they go (EXPORT_RETENTION_DAYS: the bucket's lifecycle rule deletes them; the row's
//   TTL is the same day), and take the lock off. A failure throws and the stream retries; files
//   written twice by a retry are the same files, overwritten.
//   `ready`: email the customer's verified address (settings) a link to the portal's page of the
//   export (not to the files), once: the row is marked `mailId`. The window left: Mailgun accepted,
//   the mark not written; the retry sends a second email.
//
// getExport — GET /v1/me/exports/{exportId}: the export's state; when ready, a link per file that
//   works EXPORT_LINK_SECONDS (a presigned GET, made on each request). After its files are deleted:
//   `expired`; still `requested` after the lock's time: `failed` (a new export may be asked for).
import { randomUUID } from 'node:crypto';
import { DEFAULT_TRANSCRIPT_STORAGE, type CallRetention } from '../config/retention';
import type { RateLimit } from '../config/rate-limits';
import { EXPORT_SECTIONS, withoutSecrets, type ExportContext } from '../db/account-export';
import type { TableRef } from '../db/client';
import type { ExportFileRow, ExportId, ExportRow, ExportsRepository } from '../db/exports';
import type { RateLimitsRepository } from '../db/rate-limits';
import type { TeardownsRepository } from '../db/teardowns';
import type { SettingsRow } from '../db/users';
import { exportReadyMail } from '../email/customer';
import { AccountBeingDeletedError, ConflictError, NotFoundError } from '../errors';
import type { Caller } from '../model/caller';
import { localeOr } from '../model/locale';
import { logger } from '../observability/logger';
import type { Mailer } from '../providers/mailgun/port';
import type { ExportFiles } from '../providers/s3/port';
import { verifiedRecipient, type RecipientDeps } from './recipient';
import { DEFAULT_TIMEZONE } from './settings';
import { enforceUserRateLimit } from './user-rate-limits';

/** The document's schema version: a change of its shape that a reader must know of raises it. */
export const EXPORT_SCHEMA_VERSION = 1;
/** How long an export may take before another may be asked for (and it counts as failed). */
export const EXPORT_LOCK_MINUTES = 15;
/** The rate limit's name (its counters' key): exports per user and day. */
export const EXPORT_RATE_LIMIT = 'data-export';
export const EXPORT_RUNNING = 'export-running';

export const EXPORT_FILES = { document: 'fonella-export.json', calls: 'calls.csv' } as const;

export interface ExportLimits {
  perUserPerDay: number;
  retentionDays: number;
  linkSeconds: number;
}

export class ExportRunningError extends ConflictError {
  constructor() {
    super('An export of this account is being made: wait until it is ready, then ask again.', EXPORT_RUNNING);
  }
}

export class ExportNotFoundError extends NotFoundError {
  constructor() {
    super('No export of yours has this id.');
  }
}

export interface ExportView {
  exportId: string;
  status: 'running' | 'ready' | 'expired' | 'failed';
  schemaVersion: number;
  requestedAt: string;
  readyAt: string | null;
  /** When the files are deleted. */
  expiresAt: string | null;
  files: { name: string; contentType: string; bytes: number; url: string; urlExpiresAt: string }[];
}

const DAY = 86_400;
const lockUntil = (from: Date) => new Date(from.getTime() + EXPORT_LOCK_MINUTES * 60_000).toISOString();

// --- the route ------------------------------------------------------------------------------------

export interface RequestExportDeps {
  exports: Pick<ExportsRepository, 'lock' | 'create'>;
  rateLimits: RateLimitsRepository;
  limits: Pick<ExportLimits, 'perUserPerDay' | 'retentionDays'>;
  now?: () => Date;
}

export async function requestExport(deps: RequestExportDeps, caller: Pick<Caller, 'id'>): Promise<ExportView> {
  const now = deps.now?.() ?? new Date();
  const held = await deps.exports.lock(caller.id);
  if (held && held.until >= now.toISOString()) throw new ExportRunningError();
  const rule: RateLimit = { limit: deps.limits.perUserPerDay, windowSeconds: DAY };
  await enforceUserRateLimit(deps.rateLimits, { form: EXPORT_RATE_LIMIT, userId: caller.id, rule, now, detail: 'Too many data exports today.' });
  const row: ExportRow = {
    exportId: randomUUID(),
    status: 'requested',
    requestedAt: now.toISOString(),
    schemaVersion: EXPORT_SCHEMA_VERSION,
    // A row whose export never finished goes with the files it would have had.
    ttl: Math.floor(now.getTime() / 1000) + (deps.limits.retentionDays + 1) * DAY,
  };
  const created = await deps.exports.create(caller.id, row, lockUntil(now));
  if (created === 'running') throw new ExportRunningError();
  if (created === 'closed') throw new AccountBeingDeletedError();
  logger.info('data export requested', { exportId: row.exportId });
  return exportView(row, now, []);
}

// --- the state and its links ----------------------------------------------------------------------

function exportView(row: ExportRow, now: Date, files: ExportView['files']): ExportView {
  const stale = row.status === 'requested' && lockUntil(new Date(row.requestedAt)) < now.toISOString();
  const expired = row.status === 'ready' && row.expiresAt !== undefined && row.expiresAt <= now.toISOString();
  return {
    exportId: row.exportId,
    status: row.status === 'requested' ? (stale ? 'failed' : 'running') : expired ? 'expired' : 'ready',
    schemaVersion: row.schemaVersion,
    requestedAt: row.requestedAt,
    readyAt: row.readyAt ?? null,
    expiresAt: row.expiresAt ?? null,
    files,
  };
}

export async function getExport(
  deps: { exports: Pick<ExportsRepository, 'get'>; files: Pick<ExportFiles, 'link'>; limits: Pick<ExportLimits, 'linkSeconds'>; now?: () => Date },
  userId: string,
  exportId: string,
): Promise<ExportView> {
  const now = deps.now?.() ?? new Date();
  const row = await deps.exports.get({ userId, exportId });
  if (!row) throw new ExportNotFoundError();
  const view = exportView(row, now, []);
  if (view.status !== 'ready') return view;
  const urlExpiresAt = new Date(now.getTime() + deps.limits.linkSeconds * 1000).toISOString();
  for (const f of row.files ?? []) {
    const url = await deps.files.link(f.key, { fileName: f.name, expiresInSeconds: deps.limits.linkSeconds });
    view.files.push({ name: f.name, contentType: f.contentType, bytes: f.bytes, url, urlExpiresAt });
  }
  return view;
}

// --- the document ---------------------------------------------------------------------------------

/** One CSV cell (RFC 4180), made harmless for spreadsheets: a cell that would start a formula gets a leading '. */
function cell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=@\t\r]/.test(s) || (/^[+-]/.test(s) && !/^[+-]?[0-9 ]+$/.test(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_COLUMNS = ['callId', 'startedAt', 'endedAt', 'durationSeconds', 'callerNumber', 'endedReason', 'summary', 'transcript', 'recordingUrl', 'cost', 'deletedAfter'];

export function callsCsv(calls: Record<string, unknown>[]): string {
  const lines = [CSV_COLUMNS.join(','), ...calls.map((c) => CSV_COLUMNS.map((k) => cell(c[k])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export interface ExportDocument {
  schemaVersion: number;
  kind: 'fonella-account-export';
  exportId: string;
  userId: string;
  generatedAt: string;
  retention: { callsKeptDays: number; transcriptStorage: string; filesDeletedAt: string };
  sectionIndex: { name: string; describes: string }[];
  sections: Record<string, unknown>;
}

export async function exportDocument(
  ctx: ExportContext & { exportId: string },
  retention: { callRetention: Pick<CallRetention, 'defaultDays'>; filesDeletedAt: string },
): Promise<ExportDocument> {
  const sections: Record<string, unknown> = {};
  for (const section of EXPORT_SECTIONS) sections[section.name] = withoutSecrets(await section.read(ctx));
  const settings = sections.settings as Partial<SettingsRow> | null;
  return {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    kind: 'fonella-account-export',
    exportId: ctx.exportId,
    userId: ctx.userId,
    generatedAt: ctx.now.toISOString(),
    retention: {
      callsKeptDays: settings?.callRetentionDays ?? retention.callRetention.defaultDays,
      transcriptStorage: settings?.transcriptStorage ?? DEFAULT_TRANSCRIPT_STORAGE,
      filesDeletedAt: retention.filesDeletedAt,
    },
    sectionIndex: EXPORT_SECTIONS.map((s) => ({ name: s.name, describes: s.describes })),
    sections,
  };
}

// --- the worker -----------------------------------------------------------------------------------

export interface ProduceExportDeps extends RecipientDeps {
  t: TableRef;
  exports: ExportsRepository;
  teardowns: Pick<TeardownsRepository, 'get' | 'partition'>;
  files: Pick<ExportFiles, 'save'>;
  mailer: Mailer;
  limits: Pick<ExportLimits, 'retentionDays'>;
  callRetention: Pick<CallRetention, 'defaultDays'>;
  /** The customer portal's base URL, without a trailing slash. */
  portalUrl: string;
}

export type ProduceOutcome = 'gone' | 'account-closed' | 'ready' | 'mailed' | 'already-mailed' | 'no-verified-email';

export async function produceExport(deps: ProduceExportDeps, id: ExportId): Promise<ProduceOutcome> {
  const row = await deps.exports.get(id);
  if (!row) return 'gone';
  const now = deps.now?.() ?? new Date();
  if (row.status === 'requested') {
    // An account being deleted gets no new files: its teardown removes the bucket's.
    if (await deps.teardowns.get(id.userId)) return 'account-closed';
    const expiresAt = new Date(now.getTime() + deps.limits.retentionDays * DAY * 1000);
    const partition = await deps.teardowns.partition(id.userId);
    const doc = await exportDocument({ t: deps.t, userId: id.userId, exportId: id.exportId, partition, now }, { callRetention: deps.callRetention, filesDeletedAt: expiresAt.toISOString() });
    const files: ExportFileRow[] = [];
    const save = async (name: string, contentType: string, body: string) => {
      const stored = await deps.files.save({ userId: id.userId, exportId: id.exportId, name, contentType, body });
      files.push({ name, contentType, bytes: stored.bytes, key: stored.key });
    };
    await save(EXPORT_FILES.document, 'application/json', `${JSON.stringify(doc, null, 2)}\n`);
    await save(EXPORT_FILES.calls, 'text/csv; charset=utf-8', callsCsv((doc.sections.calls as Record<string, unknown>[]) ?? []));
    await deps.exports.markReady(id, { files, readyAt: now.toISOString(), expiresAt: expiresAt.toISOString(), ttl: Math.floor(expiresAt.getTime() / 1000) });
    await deps.exports.releaseLock(id);
    logger.info('data export ready', { exportId: id.exportId, bytes: files.reduce((n, f) => n + f.bytes, 0) });
    return 'ready';
  }
  if (row.mailId) return 'already-mailed';
  const recipient = await verifiedRecipient(deps, id.userId);
  if (!recipient.email) {
    logger.warn('data export ready, but the owner has no verified address to tell', { exportId: id.exportId, reason: recipient.missing });
    return 'no-verified-email';
  }
  const mail = exportReadyMail(localeOr(recipient.locale), {
    link: `${deps.portalUrl}/settings/privacy/exports/${encodeURIComponent(id.exportId)}`,
    expiresAt: row.expiresAt ?? now.toISOString(),
    timeZone: recipient.timezone || DEFAULT_TIMEZONE,
  });
  const { id: mailId } = await deps.mailer.send({ ...mail, to: recipient.email, tags: ['data-export'], variables: { mail: 'data-export', exportId: id.exportId } });
  await deps.exports.markMailed(id, mailId, (deps.now?.() ?? new Date()).toISOString());
  return 'mailed';
}
