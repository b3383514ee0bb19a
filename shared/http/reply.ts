// What a handler returns: a status and a body; the stack serialises it. Handlers never build raw
// API Gateway results.

export interface Reply<B = unknown> {
  status: number;
  body?: B;
  headers?: Record<string, string>;
}

export const ok = <B>(body: B, headers?: Record<string, string>): Reply<B> => ({ status: 200, body, headers });
export const created = <B>(body: B, headers?: Record<string, string>): Reply<B> => ({ status: 201, body, headers });
export const accepted = <B>(body: B, headers?: Record<string, string>): Reply<B> => ({ status: 202, body, headers });
export const noContent = (): Reply<never> => ({ status: 204 });
