import { PipeTransform } from '@nestjs/common';
import { invalidInput } from '../errors/cairn-error';
import type { ZodType, ZodTypeDef } from 'zod';

/**
 * Validates and converts one request part (body, query, param) with a zod schema, e.g.
 * `@Body(new ZodValidationPipe(createDocumentSchema)) input: CreateDocumentInput`.
 * Unknown keys are dropped unless the schema says otherwise (zod objects strip by default).
 * Every problem is reported at once, as "path: message" lines in a 400 answer.
 */
export class ZodValidationPipe<Output, Input = Output> implements PipeTransform<unknown, Output> {
  constructor(private readonly schema: ZodType<Output, ZodTypeDef, Input>) {}

  transform(value: unknown): Output {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw invalidInput(
      result.error.issues.map((issue) =>
        issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      ),
    );
  }
}
