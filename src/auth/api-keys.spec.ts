import { issueApiKey, parseApiKey, secretMatches } from './api-keys';

describe('API keys', () => {
  it('parses what it issues and matches the secret against the stored hash', () => {
    const issued = issueApiKey();
    const parsed = parseApiKey(issued.key);
    expect(parsed?.id).toBe(issued.id);
    expect(secretMatches(parsed!.secret, issued.secretHash)).toBe(true);
    expect(issued.key).not.toContain(issued.secretHash);
  });

  it('refuses a tampered secret and malformed keys', () => {
    const issued = issueApiKey();
    const parsed = parseApiKey(issued.key)!;
    const tampered = parsed.secret.slice(0, -1) + (parsed.secret.endsWith('A') ? 'B' : 'A');
    expect(secretMatches(tampered, issued.secretHash)).toBe(false);
    for (const bad of ['', 'ck_', 'ck_zz_yy', issued.key + 'x', issued.key.replace('ck_', 'sk_')]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });
});
