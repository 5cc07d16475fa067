import { z } from 'zod';

/** A query-string whole number (kept to 9 digits so it always fits), named in its error. */
export const wholeNumber = (name: string) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .transform(Number);

/** `?limit=` (1–100, default 20) and `?offset=` (default 0) of the offset-paginated lists. */
export const pagingQueryShape = {
  limit: wholeNumber('limit')
    .pipe(z.number().min(1, 'limit must be at least 1').max(100, 'limit must be at most 100'))
    .default('20'),
  offset: wholeNumber('offset').default('0'),
};
