import { invalidInput } from '../../common/errors/cairn-error';
import { z } from 'zod';
import { displayTextProblem } from '../../common/display-text';
import { MAX_TITLE_LENGTH } from './multipart-upload';
import { sourceKeyProblem } from './source-key';

// Escapes like "\ud800" parse to lone surrogates, which have no UTF-8 form at all.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (value: string) => !LONE_SURROGATE.test(value);
const NOT_WELL_FORMED = 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';

export const textUploadSchema = z.object({
  title: z
    .string({ required_error: 'is required' })
    .refine(wellFormed, NOT_WELL_FORMED)
    .transform((title) => title.trim())
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(MAX_TITLE_LENGTH, `must be at most ${MAX_TITLE_LENGTH} characters`)
        .superRefine((title, context) => {
          const problem = displayTextProblem(title);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        }),
    ),
  text: z
    .string({ required_error: 'is required' })
    .refine((text) => text.trim() !== '', 'must not be empty')
    .refine(wellFormed, NOT_WELL_FORMED),
  /** Where the text lives: a later upload under the same key is a new version of it. */
  sourceKey: z
    .string()
    .refine(wellFormed, NOT_WELL_FORMED)
    .superRefine((key, context) => {
      const problem = sourceKeyProblem(key);
      if (problem) {
        context.addIssue({ code: 'custom', message: problem.replace(/^sourceKey: /, '') });
      }
    })
    .optional(),
});

export type TextUpload = z.infer<typeof textUploadSchema>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and validates a raw JSON body `{title, text}`; any flaw is a 400 with the reason. */
export function parseTextUpload(body: Buffer): TextUpload {
  let source: string;
  try {
    source = strictUtf8.decode(body);
  } catch {
    throw invalidInput('The JSON body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidInput(`The body is not valid JSON: ${reason}`);
  }
  const result = textUploadSchema.safeParse(value);
  if (!result.success) {
    throw invalidInput(
      result.error.issues.map((issue) =>
        issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      ),
    );
  }
  return result.data;
}
