/**
 * Offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points above
 * U+10FFFF included), or -1 when the bytes are valid. With `allowTruncatedTail`, a sequence cut
 * off by the end of the buffer counts as valid: the caller only has the head of a file.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array, allowTruncatedTail = false): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    let length: number;
    let min: number;
    if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
    else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800];
    else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000];
    else return index;

    let codePoint = lead & (0xff >> (length + 1));
    for (let offset = 1; offset < length; offset += 1) {
      if (index + offset >= bytes.length) return allowTruncatedTail ? -1 : index;
      const continuation = bytes[index + offset];
      if ((continuation & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (continuation & 0x3f);
      // Reject overlong / surrogate / out-of-range forms as soon as the second byte shows them.
      if (offset === 1 && !secondByteAllowed(lead, continuation)) return index;
    }
    if (codePoint < min) return index;
    index += length;
  }
  return -1;
}

function secondByteAllowed(lead: number, second: number): boolean {
  if (lead === 0xe0) return second >= 0xa0;
  if (lead === 0xed) return second <= 0x9f; // U+D800..U+DFFF are surrogates
  if (lead === 0xf0) return second >= 0x90;
  if (lead === 0xf4) return second <= 0x8f; // above U+10FFFF
  return true;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return UTF8_BOM.every((byte, index) => bytes[index] === byte);
}
