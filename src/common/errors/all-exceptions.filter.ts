import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { InvalidIdentifierError } from '../ids';
import type { RequestWithId } from '../http/request-id';
import { CairnError } from './cairn-error';
import { DEPENDENCY_RETRY_AFTER_SECONDS, isDependencyUnavailable } from './dependency-errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId?: string;
}

/** Maps any thrown value to the JSON body clients see. Pure, so it is easy to test. */
export function toErrorBody(exception: unknown, requestId?: string): ErrorBody {
  const body = (statusCode: number, message: string | string[]): ErrorBody => ({
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    requestId,
  });

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    // Nest's own exceptions (and ValidationPipe) put the useful text in response.message.
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const message: unknown = response.message;
      if (typeof message === 'string' || isStringArray(message)) return body(status, message);
    }
    return body(status, typeof response === 'string' ? response : exception.message);
  }
  if (exception instanceof CairnError) {
    return body(
      exception.httpStatus,
      exception.problems ? [...exception.problems] : exception.message,
    );
  }
  if (exception instanceof InvalidIdentifierError) {
    return body(400, exception.message);
  }
  if (isBodyParserError(exception)) {
    return body(exception.status, exception.expose ? exception.message : 'Invalid request body');
  }
  if (isDependencyUnavailable(exception)) {
    return body(503, 'A service Cairn depends on is unavailable or busy; try again shortly.');
  }
  // Anything else is a bug: never leak its details or stack to the client.
  return body(500, 'Internal server error');
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<RequestWithId>();
    const response = http.getResponse<Response>();
    const errorBody = toErrorBody(exception, request.requestId);

    if (errorBody.statusCode >= 500) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(
        `${request.method} ${request.originalUrl} failed (requestId ${request.requestId})`,
        stack,
      );
    }
    if (response.headersSent) return;
    if (errorBody.statusCode === 503 && !response.getHeader('Retry-After')) {
      response.setHeader('Retry-After', String(DEPENDENCY_RETRY_AFTER_SECONDS));
    }
    response.status(errorBody.statusCode).json(errorBody);
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

// Express body-parser errors carry an HTTP status and say whether their message is safe to show.
function isBodyParserError(value: unknown): value is Error & { status: number; expose: boolean } {
  if (!(value instanceof Error)) return false;
  const candidate = value as Error & { status?: unknown; expose?: unknown };
  return (
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    typeof candidate.expose === 'boolean'
  );
}
