import { cookieValue, signOperatorSession, verifyOperatorSession } from './operator-session';

const secret = 'operator-session-secret-for-tests-0123456789';
const userId = '6f1c2a52-8f0e-4f55-9b57-0b8f7a1e2d3c';

describe('operator sessions', () => {
  it('verifies its own value until it expires, 30 minutes later', () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const session = signOperatorSession(userId, secret, now);
    expect(session.expiresAt.getTime()).toBe(now + 30 * 60_000);
    expect(verifyOperatorSession(session.value, secret, now + 29 * 60_000)).toBe(userId);
    expect(verifyOperatorSession(session.value, secret, now + 30 * 60_000)).toBeNull();
  });

  it('refuses another key, a changed payload, and anything malformed', () => {
    const { value } = signOperatorSession(userId, secret);
    const [payload, signature] = value.split('.');
    expect(verifyOperatorSession(value, `${secret}-rotated`)).toBeNull();
    const longer = Buffer.from(
      JSON.stringify({ sub: userId, exp: Math.floor(Date.now() / 1000) + 86_400 }),
    ).toString('base64url');
    expect(verifyOperatorSession(`${longer}.${signature}`, secret)).toBeNull();
    for (const bad of ['', payload, `${payload}.`, `${payload}.${signature}x`, 'a.b.c']) {
      expect(verifyOperatorSession(bad, secret)).toBeNull();
    }
    expect(verifyOperatorSession(value, '')).toBeNull();
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; cairn_operator=x.y; b=2', 'cairn_operator')).toBe('x.y');
    expect(cookieValue('cairn_operator_other=z', 'cairn_operator')).toBeUndefined();
    expect(cookieValue(undefined, 'cairn_operator')).toBeUndefined();
  });
});
