import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ConcurrencyGate } from '../common/http/concurrency-gate';
import { admissionInFlight, admissionShed } from '../observability/metrics';

/** Routes whose requests share one per-process admission limit. */
export type AdmissionClass = 'search' | 'upload';

/**
 * Requests of a class one API process serves at once; one more is answered 503 with
 * Retry-After at once. Searches embed the query on this process's CPU, so a few at once use it
 * fully; uploads (documents and imports together) hold a temporary file, a Postgres connection
 * of a pool of 10 and a MinIO stream each, and under load let searches starve for connections.
 */
export const MAX_CONCURRENT: Record<AdmissionClass, number> = { search: 8, upload: 4 };

const BUSY_MESSAGE: Record<AdmissionClass, string> = {
  search: 'Search is busy; try again in a moment.',
  upload: 'Uploads are busy; try again in a moment.',
};

const ADMISSION_CLASS = 'cairn:admission-class';
/** Admits the route's requests through its class's per-process limit (see AdmissionGuard). */
export const Admitted = (admission: AdmissionClass) => SetMetadata(ADMISSION_CLASS, admission);

/**
 * Runs after AuthGuard and BEFORE RateLimitGuard: a request shed because the process is busy
 * has not spent the caller's rate budget (the caller did nothing wrong, and retries). Its place
 * is held until the response is done or the connection closes, whichever comes first.
 */
@Injectable()
export class AdmissionGuard implements CanActivate {
  private readonly gates = new Map<AdmissionClass, ConcurrencyGate>(
    (Object.keys(MAX_CONCURRENT) as AdmissionClass[]).map((admission) => [
      admission,
      new ConcurrencyGate(MAX_CONCURRENT[admission], BUSY_MESSAGE[admission]),
    ]),
  );

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const admission = this.reflector.getAllAndOverride<AdmissionClass | undefined>(
      ADMISSION_CLASS,
      [context.getHandler(), context.getClass()],
    );
    const gate = admission && this.gates.get(admission);
    if (!gate) return true;
    let leave: () => void;
    try {
      leave = gate.enter();
    } catch (busy) {
      admissionShed.inc({ class: admission });
      throw busy; // dependency_unavailable: 503 with Retry-After
    }
    admissionInFlight.set({ class: admission }, gate.inUse);
    context
      .switchToHttp()
      .getResponse<Response>()
      .once('close', () => {
        leave();
        admissionInFlight.set({ class: admission }, gate.inUse);
      });
    return true;
  }
}
