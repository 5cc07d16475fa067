// Upload file names are user input that later appears in titles, logs and Content-Disposition
// headers, so anything that could address a path or confuse a terminal is refused outright.

import { UNSAFE_DISPLAY_CHARACTERS as UNSAFE_CHARACTERS } from '../../common/display-text';

const MAX_FILE_NAME_LENGTH = 255;

/** Why a file name is refused, or null when it is acceptable. */
export function fileNameProblem(fileName: string): string | null {
  if (fileName.trim() === '') return 'The file name is empty.';
  if (fileName.length > MAX_FILE_NAME_LENGTH) {
    return `The file name is longer than ${MAX_FILE_NAME_LENGTH} characters.`;
  }
  if (UNSAFE_CHARACTERS.test(fileName)) return 'The file name contains control characters.';
  if (/[/\\]/.test(fileName)) return 'The file name must not contain path separators (/ or \\).';
  if (fileName.includes('..')) return 'The file name must not contain "..".';
  return null;
}

/**
 * An `attachment` disposition that is safe for any title: an ASCII fallback without quotes or
 * controls, and the exact name in RFC 5987 form for clients that read `filename*`.
 */
export function attachmentDisposition(fileName: string): string {
  const cleaned = fileName.replace(new RegExp(UNSAFE_CHARACTERS.source, 'g'), '').trim();
  const name = cleaned === '' ? 'document' : cleaned;
  const asciiFallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\/]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}
