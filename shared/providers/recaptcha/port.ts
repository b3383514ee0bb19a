// Telling a person from a script on the public forms, in Fonella's terms.

export interface HumanCheck {
  /** `ok` only when the provider vouches for the token, for the expected action, at or above the threshold. */
  verify(input: { token: string; expectedAction: string; remoteIp?: string }): Promise<{
    ok: boolean;
    score: number | null;
    action: string | null;
    /** Why it is not ok: the provider's error codes, or `action-mismatch` / `low-score`. */
    reasons: string[];
  }>;
}
