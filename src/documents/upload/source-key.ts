import { displayTextProblem } from '../../common/display-text';

export const SOURCE_KEY_FIELD = 'sourceKey';
export const MAX_SOURCE_KEY_LENGTH = 2048;

/**
 * Why a source key (a path, URL or external id naming where a document lives) is refused, or
 * null. Kept exactly as sent: two keys are the same source only when they are equal.
 */
export function sourceKeyProblem(value: string): string | null {
  if (value.length === 0) return `${SOURCE_KEY_FIELD}: must not be empty`;
  if (value.length > MAX_SOURCE_KEY_LENGTH) {
    return `${SOURCE_KEY_FIELD}: must be at most ${MAX_SOURCE_KEY_LENGTH} characters`;
  }
  if (value.trim() !== value) {
    return `${SOURCE_KEY_FIELD}: must not start or end with white space`;
  }
  const problem = displayTextProblem(value);
  return problem ? `${SOURCE_KEY_FIELD}: ${problem}` : null;
}
