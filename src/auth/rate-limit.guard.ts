import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { CairnError } from '../common/errors/cairn-error';
import { rateLimitRejections } from '../observability/metrics';
import type { AuthenticatedRequest } from './principal';
import { type RateLimitBucket, RateLimiter } from './rate-limiter';

const RATE_LIMIT_BUCKET = 'cairn:rate-limit-bucket';
/** Draws each request on the route from a budget, per user and per IP (see RateLimiter). */
export const RateLimited = (bucket: RateLimitBucket) => SetMetadata(RATE_LIMIT_BUCKET, bucket);

// Uploads store data, so they stop when the limiter can't be asked; searches only read and go on.
const FAIL_CLOSED: Record<RateLimitBucket, boolean> = { upload: true, search: false };

/** Runs after AuthGuard: 429 with Retry-After once a budget is spent. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const bucket = this.reflector.getAllAndOverride<RateLimitBucket | undefined>(
      RATE_LIMIT_BUCKET,
      [context.getHandler(), context.getClass()],
    );
    if (!bucket) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const userId = request.principal?.apiKeyId ?? request.principal?.userId ?? 'anonymous';
    let decision;
    try {
      decision = await this.limiter.take(bucket, userId, request.ip ?? 'unknown');
    } catch (error) {
      this.logger.warn(`rate limiter unavailable: ${(error as Error).message}`);
      if (FAIL_CLOSED[bucket]) {
        throw new CairnError(
          'dependency_unavailable',
          'uploads are paused: the rate limiter (Redis) is unreachable',
        );
      }
      return true;
    }
    if (decision.allowed) return true;
    rateLimitRejections.inc({ bucket });
    context
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new CairnError(
      'rate_limited',
      `too many ${bucket} requests; retry in ${decision.retryAfterSeconds} s`,
    );
  }
}
