// Telling a person from a script on the public forms, in Fonella's terms.

export interface HumanCheckResult {
  /**
   * True when the provider vouches for the token, for the expected action, at or above the threshold;
   * also when no token was sent and configuration lets that through (the local stack).
   */
  ok: boolean;
  score: number | null;
  action: string | null;
  /**
   * Empty for a verified pass. Otherwise what was wrong: the provider's error codes (e.g.
   * `timeout-or-duplicate`: the token was verified before or is older than two minutes),
   * `action-mismatch`, `low-score`; or `token-missing` (with ok true when configuration lets a missing
   * token through).
   */
  reasons: string[];
}

export interface HumanCheck {
  /**
   * Checks a form's token. Throws a ProviderError when the check itself cannot be made (our secret
   * refused, provider down); a bot-like token is an answer (ok false), not an error.
   */
  verify(input: { token: string | undefined; expectedAction: string; remoteIp?: string }): Promise<HumanCheckResult>;
}
