import { z } from 'zod';

// Names and titles people type are shown to others: in lists, logs, file dialogs, terminals. C0
// and C1 control characters, and the bidirectional controls that reorder what follows them
// ("Invoice \u202Efdp.exe" displays as "Invoice exe.pdf"), are refused wherever one is accepted.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Embeddings, overrides and isolates (LRE…RLO, LRI…PDI) and the invisible direction marks. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Every character display text refuses, as one pattern (for stripping, e.g. in file names). */
export const UNSAFE_DISPLAY_CHARACTERS = new RegExp(
  `${CONTROL_CHARACTERS.source.slice(0, -1)}${BIDI_CONTROLS.source.slice(1)}`,
);

/** Why a display string is refused, or null. Line breaks and tabs only where text is multi-line. */
export function displayTextProblem(
  value: string,
  options: { multiline?: boolean } = {},
): string | null {
  const controls = options.multiline ? CONTROL_CHARACTERS_BUT_LINE_BREAKS : CONTROL_CHARACTERS;
  if (controls.test(value)) return 'must not contain control characters';
  if (BIDI_CONTROLS.test(value)) {
    return 'must not contain bidirectional control characters (such as U+202E)';
  }
  return null;
}

/**
 * A trimmed display string of 1 to `maxLength` characters without control or bidirectional
 * control characters; each refusal says which field and why.
 */
export function displayText(
  field: string,
  maxLength: number,
  options: { multiline?: boolean; allowEmpty?: boolean } = {},
) {
  return z
    .string({
      required_error: `${field} is required`,
      invalid_type_error: `${field} must be a string`,
    })
    .transform((value) => value.trim())
    .pipe(
      z
        .string()
        .min(options.allowEmpty ? 0 : 1, `${field} must not be empty`)
        .max(maxLength, `${field} must be at most ${maxLength} characters`)
        .superRefine((value, context) => {
          const problem = displayTextProblem(value, options);
          if (problem) context.addIssue({ code: 'custom', message: `${field} ${problem}` });
        }),
    );
}
