import { generateSealingKeys, SecretOpener, SecretSealer } from './sealed-secrets';

describe('sealed secrets', () => {
  const keys = generateSealingKeys();

  it('opens with the private key what the public key sealed', () => {
    const sealed = new SecretSealer(keys.publicKey).seal('whsec_abc', 'workspace-a');
    expect(sealed).not.toContain('whsec_abc');
    expect(new SecretOpener(keys.privateKey).open(sealed, 'workspace-a')).toBe('whsec_abc');
  });

  it('seals the same secret differently each time (fresh ephemeral key and iv)', () => {
    const sealer = new SecretSealer(keys.publicKey);
    expect(sealer.seal('s', 'w')).not.toBe(sealer.seal('s', 'w'));
  });

  it('does not open for another context, another key or a changed byte', () => {
    const sealed = new SecretSealer(keys.publicKey).seal('whsec_abc', 'workspace-a');
    expect(() => new SecretOpener(keys.privateKey).open(sealed, 'workspace-b')).toThrow();
    expect(() =>
      new SecretOpener(generateSealingKeys().privateKey).open(sealed, 'workspace-a'),
    ).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => new SecretOpener(keys.privateKey).open(parts.join('.'), 'workspace-a')).toThrow();
  });

  it('refuses malformed keys', () => {
    expect(() => new SecretSealer('short')).toThrow(/32 bytes/);
    expect(() => new SecretOpener('')).toThrow(/32 bytes/);
  });
});
