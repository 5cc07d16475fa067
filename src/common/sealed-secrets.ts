import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

// Secrets kept at rest (webhook signing secrets) are sealed to an X25519 public key: the API,
// which only stores them, holds the public key; the workers, which sign with them, hold the
// private key. A database dump (or an API process) cannot read one back.
//
// Sealed form: `x25519.<ephemeral public key>.<iv>.<ciphertext + GCM tag>`, each part base64url.
// The key comes from ECDH(ephemeral, recipient) through HKDF-SHA256; the context (e.g. the
// workspace id) is authenticated data, so a sealed value moved to another row does not open.

const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const HKDF_INFO = Buffer.from('cairn sealed secret v1');
const RAW_KEY = /^[A-Za-z0-9_-]{43}$/;

function publicKeyOf(raw: string): KeyObject {
  if (!RAW_KEY.test(raw)) throw new Error('a sealing public key is 32 bytes in base64url');
  return createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, Buffer.from(raw, 'base64url')]),
    format: 'der',
    type: 'spki',
  });
}

function privateKeyOf(raw: string): KeyObject {
  if (!RAW_KEY.test(raw)) throw new Error('a sealing private key is 32 bytes in base64url');
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, Buffer.from(raw, 'base64url')]),
    format: 'der',
    type: 'pkcs8',
  });
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function aesKey(shared: Buffer, ephemeralPublic: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, ephemeralPublic, HKDF_INFO, 32));
}

/** A new key pair, both halves base64url (for CAIRN_SECRETS_PUBLIC_KEY / _PRIVATE_KEY). */
export function generateSealingKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: rawPublicKey(publicKey).toString('base64url'),
    privateKey: privateKey
      .export({ format: 'der', type: 'pkcs8' })
      .subarray(PKCS8_PREFIX.length)
      .toString('base64url'),
  };
}

/** Seals secrets; holds no way to open them. */
export class SecretSealer {
  private readonly recipient: KeyObject;

  constructor(publicKey: string) {
    this.recipient = publicKeyOf(publicKey);
  }

  seal(secret: string, context: string): string {
    const ephemeral = generateKeyPairSync('x25519');
    const ephemeralPublic = rawPublicKey(ephemeral.publicKey);
    const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: this.recipient });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', aesKey(shared, ephemeralPublic), iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([
      cipher.update(secret, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return ['x25519', ephemeralPublic, iv, sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }
}

/** Opens what a SecretSealer of the matching public key sealed, for the same context. */
export class SecretOpener {
  private readonly key: KeyObject;

  constructor(privateKey: string) {
    this.key = privateKeyOf(privateKey);
  }

  open(sealed: string, context: string): string {
    const [scheme, publicPart, ivPart, bodyPart] = sealed.split('.');
    if (scheme !== 'x25519' || !publicPart || !ivPart || !bodyPart) {
      throw new Error('not a sealed secret');
    }
    const ephemeralPublic = Buffer.from(publicPart, 'base64url');
    const shared = diffieHellman({
      privateKey: this.key,
      publicKey: publicKeyOf(publicPart),
    });
    const body = Buffer.from(bodyPart, 'base64url');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      aesKey(shared, ephemeralPublic),
      Buffer.from(ivPart, 'base64url'),
    );
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }
}
