import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { InvalidIdentifierError } from '../ids';
import { toErrorBody } from './all-exceptions.filter';
import {
  CairnError,
  conflict,
  forbidden,
  invalidInput,
  notFound,
  payloadTooLarge,
  unavailable,
  unsupportedMediaType,
} from './cairn-error';

describe('toErrorBody', () => {
  it('keeps the status and message of Nest HTTP exceptions', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /nope'), 'req-1')).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /nope',
      requestId: 'req-1',
    });
  });

  it('keeps validation messages as a list', () => {
    const body = toErrorBody(
      new BadRequestException(['title must be a string', 'size must be positive']),
      'r',
    );
    expect(body.statusCode).toBe(400);
    expect(body.message).toEqual(['title must be a string', 'size must be positive']);
  });

  it('accepts HttpException with a plain string response', () => {
    expect(toErrorBody(new HttpException('slow down', 429), 'r')).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'slow down',
    });
  });

  it('maps domain error codes to statuses', () => {
    expect(toErrorBody(new CairnError('not_found', 'document 42 not found'), 'r')).toMatchObject({
      statusCode: 404,
      message: 'document 42 not found',
    });
    expect(toErrorBody(new CairnError('conflict', 'already there'), 'r').statusCode).toBe(409);
    expect(
      toErrorBody(new CairnError('dependency_unavailable', 'neo4j down'), 'r').statusCode,
    ).toBe(503);
  });

  it('gives each factory its status family, and keeps a list of problems as a list', () => {
    const statuses = [
      invalidInput('x'),
      forbidden('x'),
      notFound('x'),
      conflict('x'),
      payloadTooLarge('x'),
      unsupportedMediaType('x'),
      unavailable('x'),
    ].map((error) => toErrorBody(error, 'r').statusCode);
    expect(statuses).toEqual([400, 403, 404, 409, 413, 415, 503]);
    expect(toErrorBody(invalidInput(['title: empty', 'limit: too big']), 'r')).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: ['title: empty', 'limit: too big'],
    });
    expect(toErrorBody(unsupportedMediaType('not a zip'), 'r')).toMatchObject({
      error: 'Unsupported Media Type',
      message: 'not a zip',
    });
  });

  it('treats invalid identifiers as bad input', () => {
    expect(toErrorBody(new InvalidIdentifierError('workspace id', '../x'), 'r').statusCode).toBe(
      400,
    );
  });

  it('maps body parser errors to their 4xx status', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
    });
    expect(toErrorBody(tooLarge, 'r')).toMatchObject({
      statusCode: 413,
      message: 'request entity too large',
    });
  });

  it('hides the details of unexpected errors', () => {
    const body = toErrorBody(new Error('password=hunter2 at /srv/app.js:12'), 'req-9');
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      requestId: 'req-9',
    });
    expect(toErrorBody('a thrown string', undefined).statusCode).toBe(500);
  });
});
