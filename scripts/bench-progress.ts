// What `npm run bench` is doing now, on stderr (the figures go to stdout): on a terminal one line,
// rewritten in place; otherwise (CI, a pipe, a log file) plain lines, at most one every 10 s, so a
// log shows progress without a line per sample.
const PLAIN_EVERY_MS = 10_000;

export interface Progress {
  /** What is being done now (replaces the previous update). */
  update(text: string): void;
  /** Clears the line; prints `text` as a plain line when given. */
  done(text?: string): void;
}

export function progress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let lastPlain = -Infinity;
  let shown = false;
  const clear = () => {
    if (tty && shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(text) {
      if (tty) {
        const width = Math.max(20, (stream.columns || 100) - 1);
        stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
        shown = true;
      } else if (performance.now() - lastPlain >= PLAIN_EVERY_MS) {
        stream.write(`${text}\n`);
        lastPlain = performance.now();
      }
    },
    done(text) {
      clear();
      lastPlain = -Infinity;
      if (text !== undefined) stream.write(`${text}\n`);
    },
  };
}

/** "1 min 05 s" / "42 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
