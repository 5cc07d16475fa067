// Upload file names are user input that later appears in titles, logs and Content-Disposition
// headers, so anything that could address a path or confuse a terminal is refused outright.

const MAX_FILE_NAME_LENGTH = 255;
// C0 and C1 control characters, plus bidi overrides that can disguise an extension.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

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
