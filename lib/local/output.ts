// What this process writes to stdout and stderr, line by line: the local runtime reads the functions'
// JSON log lines there, as Lambda's log agent does (./trace.ts joins each to its invocation), and
// `npm start` replaces them on the console with short lines (bin/local.ts). Taps stack: each hands
// what it keeps to the one below it.
type Stream = 'stdout' | 'stderr';

/**
 * Hands every line written to stdout and stderr (without its line feed) to `each`, which answers what
 * to write in its place: the line to pass it on, a changed line, or undefined to drop it. Answers the
 * function that removes the tap.
 */
export function tapOutput(each: (line: string, stream: Stream) => string | undefined): () => void {
  const restores = (['stdout', 'stderr'] as const).map((name) => {
    const stream = process[name];
    const below = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
    let on = true;
    const write = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown) => {
      if (!on) return below(chunk, encodingOrCb, cb);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const out = splitLines(text)
        .map(({ line, end }) => {
          const kept = each(line, name);
          return kept === undefined ? '' : kept + end;
        })
        .join('');
      const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      if (out === '') {
        if (typeof done === 'function') (done as () => void)();
        return true;
      }
      return below(out, typeof done === 'function' ? done : undefined);
    }) as typeof stream.write;
    stream.write = write;
    return () => {
      on = false;
      if (stream.write === write) stream.write = below as typeof stream.write;
    };
  });
  return () => restores.forEach((restore) => restore());
}

/** The lines of a chunk, each with its line end ('' for a last line without one). */
export function splitLines(text: string): { line: string; end: string }[] {
  const out: { line: string; end: string }[] = [];
  const re = /([^\n]*)(\n|$)/g;
  for (let m = re.exec(text); m && (m[1] !== '' || m[2] !== ''); m = re.exec(text)) {
    out.push({ line: m[1]!, end: m[2]! });
    if (m[2] === '') break;
  }
  return out;
}
