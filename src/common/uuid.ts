import { createHash } from 'node:crypto';

// Namespace for Cairn's name-based ids (a fixed random UUID; changing it would change every id).
const CAIRN_NAMESPACE = Buffer.from('6f1c9a3e4b2d4f0e8a7b5c3d2e1f0a9b', 'hex');

/** RFC 9562 version-5 UUID: the same name always gives the same id, so retries never duplicate. */
export function uuidV5(name: string, namespace: Buffer = CAIRN_NAMESPACE): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
