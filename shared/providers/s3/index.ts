// The exports bucket's adapter wired to this function's config.
import { exportsBucketConfig } from '../../config/exports';
import { s3ExportFiles } from './adapter';
import type { ExportFiles } from './port';

export type * from './port';

let files: ExportFiles | undefined;
export function configuredExportFiles(): ExportFiles {
  files ??= s3ExportFiles(exportsBucketConfig());
  return files;
}
