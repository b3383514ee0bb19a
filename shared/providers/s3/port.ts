// Where the data exports' files are kept (an S3 bucket): in Fonella's terms, files of an account's
// export, a download link of one, and everything of an account removed.

export interface ExportFile {
  userId: string;
  exportId: string;
  /** The file's name in the download (`fonella-export.json`). */
  name: string;
  contentType: string;
  body: string;
}

export interface StoredFile {
  /** Where it is kept (opaque to the domain: the bucket's key). */
  key: string;
  bytes: number;
}

export interface ExportFiles {
  save(file: ExportFile): Promise<StoredFile>;
  /** A GET link of a stored file that works `expiresInSeconds`, downloading it under `fileName`. */
  link(key: string, opts: { fileName: string; expiresInSeconds: number }): Promise<string>;
  /** The keys of every file kept for the account. */
  keysOf(userId: string): Promise<string[]>;
  /** Deletes every file kept for the account; answers how many there were. */
  removeAccount(userId: string): Promise<number>;
}
