import { Injectable } from '@nestjs/common';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { CairnError } from '../common/errors/cairn-error';

/**
 * Live event streams (documents' and imports' Server-Sent Events) each hold a socket, a Redis
 * listener and a heartbeat timer: one caller (user or API key) may hold at most
 * CAIRN_MAX_EVENT_STREAMS_PER_USER of them at once in this process, kinds together.
 */
@Injectable()
export class EventStreamQuota {
  private readonly open = new Map<string, number>();
  private readonly max: number;

  constructor(@InjectConfig() config: CairnConfig) {
    this.max = config.CAIRN_MAX_EVENT_STREAMS_PER_USER;
  }

  /** Takes a place for the caller, or refuses (429); call the returned function when it ends. */
  reserve(caller: string): () => void {
    const held = this.open.get(caller) ?? 0;
    if (held >= this.max) {
      throw new CairnError(
        'rate_limited',
        `at most ${this.max} event streams at once; close one first`,
      );
    }
    this.open.set(caller, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(caller) ?? 1) - 1;
      if (left > 0) this.open.set(caller, left);
      else this.open.delete(caller);
    };
  }
}
