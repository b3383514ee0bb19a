// The mask a call log puts on another member's agent phone (shared/domain/hotlines.ts maskPhone): the
// same length, at most the first three and the last two digits shown, and never more than half of them.
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../shared/domain/hotlines';

describe('maskPhone', () => {
  it.each([
    ['+4915112345678', '+491********78'],
    ['+4924155660', '+492*****60'],
    ['+4930123', '+49****3'],
    ['+12345', '+1***5'],
    ['+123', '+1**'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
    expect(maskPhone(phone)).toHaveLength(phone.length);
  });

  it('hides at least half of the digits of any number', () => {
    for (let n = 3; n <= 15; n++) {
      const phone = `+${'9'.repeat(n)}`;
      expect([...maskPhone(phone)].filter((c) => c === '*').length, phone).toBeGreaterThanOrEqual(Math.ceil(n / 2));
    }
  });
});
