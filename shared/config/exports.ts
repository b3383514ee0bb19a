// The data exports (GET /v1/me/exports/...): where their files live and the bounds on them.
// - exportLimitsConfig, every function: exports per user and day (one at a time besides), the days
//   an export's files are kept (the bucket's lifecycle rule deletes them then; the export's row goes
//   by its TTL at the same time) and the seconds a download link works.
// - exportsBucketConfig, the functions that read or write the files: the stage's bucket (CDK passes
//   its name); locally S3_ENDPOINT points the same client at the S3 emulator, path-style.
import { defineConfig, nonEmpty, optional, positiveInt, url } from './define';

/** The local stack's bucket, in the S3 emulator. */
export const LOCAL_EXPORTS_BUCKET = 'fonella-local-exports';

export const exportLimitsConfig = /* @__PURE__ */ defineConfig(
  'export limits',
  { EXPORTS_PER_USER_PER_DAY: positiveInt, EXPORT_RETENTION_DAYS: positiveInt, EXPORT_LINK_SECONDS: positiveInt },
  (e) => ({ perUserPerDay: e.EXPORTS_PER_USER_PER_DAY, retentionDays: e.EXPORT_RETENTION_DAYS, linkSeconds: e.EXPORT_LINK_SECONDS }),
  { EXPORTS_PER_USER_PER_DAY: '3', EXPORT_RETENTION_DAYS: '7', EXPORT_LINK_SECONDS: '900' },
);

export const exportsBucketConfig = /* @__PURE__ */ defineConfig(
  'exports bucket',
  { EXPORTS_BUCKET: nonEmpty, S3_ENDPOINT: optional(url), AWS_REGION: nonEmpty },
  (e) => ({ bucket: e.EXPORTS_BUCKET, endpoint: e.S3_ENDPOINT, region: e.AWS_REGION }),
  { EXPORTS_BUCKET: LOCAL_EXPORTS_BUCKET, S3_ENDPOINT: 'http://127.0.0.1:4011', AWS_REGION: 'eu-central-1' },
);
