import { z } from 'zod';
import { toErrorBody } from '../errors/all-exceptions.filter';
import { CairnError } from '../errors/cairn-error';
import { ZodValidationPipe } from './zod-validation.pipe';

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe(
    z.object({ title: z.string().min(1), limit: z.coerce.number().int().max(100).default(10) }),
  );

  it('returns the parsed value, with defaults, coercion and unknown keys stripped', () => {
    expect(pipe.transform({ title: 'x', limit: '5', extra: true })).toEqual({
      title: 'x',
      limit: 5,
    });
    expect(pipe.transform({ title: 'x' })).toEqual({ title: 'x', limit: 10 });
  });

  it('reports every problem as a 400 with one message per field', () => {
    let thrown: unknown;
    try {
      pipe.transform({ title: '', limit: 1000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CairnError);
    expect((thrown as CairnError).code).toBe('invalid_input');
    const body = toErrorBody(thrown, 'r');
    expect(body.statusCode).toBe(400);
    expect(body.message).toEqual([
      expect.stringMatching(/^title: /),
      expect.stringMatching(/^limit: /),
    ]);
  });

  it('rejects a missing body', () => {
    expect(() => pipe.transform(undefined)).toThrow(CairnError);
  });
});
