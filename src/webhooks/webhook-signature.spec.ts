import { createHmac } from 'node:crypto';
import { newSigningSecret, signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"type":"documents.indexed"}';

  it('is HMAC-SHA256 over "<timestamp>.<body>" in hex', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1_700_000_000, body)).toBe(`sha256=${expected}`);
  });

  it('verifies its own signature and refuses a changed body, secret or timestamp', () => {
    const signature = signWebhook(secret, 1_700_000_000, body);
    const headers = { signature, timestamp: '1700000000' };
    expect(verifyWebhook(secret, headers, body, { now: 1_700_000_010 })).toBe(true);
    expect(verifyWebhook(secret, headers, `${body} `, { now: 1_700_000_010 })).toBe(false);
    expect(verifyWebhook('whsec_other', headers, body, { now: 1_700_000_010 })).toBe(false);
    expect(
      verifyWebhook(secret, { signature, timestamp: '1700000001' }, body, { now: 1_700_000_010 }),
    ).toBe(false);
  });

  it('refuses a timestamp outside the tolerance (a replay) and missing headers', () => {
    const signature = signWebhook(secret, 1_700_000_000, body);
    const headers = { signature, timestamp: '1700000000' };
    expect(verifyWebhook(secret, headers, body, { now: 1_700_000_301 })).toBe(false);
    expect(verifyWebhook(secret, { signature, timestamp: undefined }, body)).toBe(false);
    expect(verifyWebhook(secret, { signature: undefined, timestamp: '1' }, body)).toBe(false);
  });

  it('makes distinct secrets', () => {
    expect(newSigningSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newSigningSecret()).not.toBe(newSigningSecret());
  });
});
