import { CairnError } from '../errors/cairn-error';

/**
 * At most `limit` calls at once in this process; one more is refused at once with a 503 (the
 * filter adds Retry-After) instead of queueing. Under overload, a queue only makes every answer
 * late — bench:load saw searches wait 30–60 s and clients give up — while a quick 503 lets the
 * client back off and keeps the accepted requests fast.
 */
export class ConcurrencyGate {
  private running = 0;

  constructor(
    private readonly limit: number,
    private readonly busyMessage: string,
  ) {}

  get inUse(): number {
    return this.running;
  }

  /**
   * Takes a place or throws dependency_unavailable; returns the function that gives the place
   * back (calling it more than once gives it back once).
   */
  enter(): () => void {
    if (this.running >= this.limit) {
      throw new CairnError('dependency_unavailable', this.busyMessage);
    }
    this.running += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.running -= 1;
    };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const leave = this.enter();
    try {
      return await work();
    } finally {
      leave();
    }
  }
}
