import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { formatDuration, type Output, truncateStart } from './output';

/** One line of progress: a bar in a terminal, plain lines when its state changes elsewhere. */
export interface ProgressLine {
  /**
   * `value` of the line's total; `state` is the words beside it ("uploading", "graph"), and
   * `detail` more words for the bar only (byte counts), which plain lines leave out.
   */
  update(value: number, state: string, detail?: string): void;
  /** Ends the line: a terminal drops its bar and prints the final state above the others. */
  finish(state: string): void;
}

export interface OverallLine {
  /** Counts of items done and failed so far, of `total`; `note` says what happens (a status). */
  update(done: number, failed: number, total: number, note?: string): void;
}

/**
 * The bars of one command. In a terminal (and without NO_COLOR or --json): a redrawn bar per item
 * in flight and an overall bar, on stderr. Otherwise plain lines on stderr, one per change of state
 * (the overall line at most once a second), so logs and pipes stay readable.
 */
export class ProgressBoard {
  private readonly multibar?: MultiBar;
  private overallBar?: SingleBar;
  private readonly startedAt = Date.now();
  private lastPlainOverall = 0;
  private overallLabel = '';
  private overallText = '';

  constructor(private readonly out: Output) {
    if (out.interactive) {
      this.multibar = new MultiBar(
        {
          stream: out.stderr,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          barsize: 24,
          etaBuffer: 50,
          fps: 8,
          autopadding: true,
          format: (options, params, payload: { label?: string; state?: string }) => {
            const complete = Math.round(params.progress * (options.barsize ?? 24));
            const bar =
              (options.barCompleteString ?? '').slice(0, complete) +
              (options.barIncompleteString ?? '').slice(0, (options.barsize ?? 24) - complete);
            return `${(payload.label ?? '').padEnd(28)} ${bar} ${payload.state ?? ''}`;
          },
        },
        Presets.shades_classic,
      );
    }
  }

  /** The overall bar (drawn last, under the items' bars): done + failed of total, rate, time left. */
  overall(label: string, total: number): OverallLine {
    this.overallLabel = truncateStart(label, 28);
    if (this.multibar) {
      this.overallText = this.overallState(0, 0, total);
      this.overallBar = this.multibar.create(Math.max(total, 1), 0, {
        label: this.overallLabel,
        state: this.overallText,
      });
    }
    return {
      update: (done, failed, newTotal, note) => {
        const finished = done + failed;
        const counts = this.overallState(done, failed, newTotal);
        const state = note ? `${note}: ${counts}` : counts;
        this.overallText = state;
        if (this.overallBar) {
          this.overallBar.setTotal(Math.max(newTotal, 1));
          this.overallBar.update(finished, { state });
        } else if (
          !this.out.json &&
          (Date.now() - this.lastPlainOverall >= 1000 || (newTotal > 0 && finished >= newTotal))
        ) {
          this.lastPlainOverall = Date.now();
          this.out.stderr.write(`${label}: ${state}\n`);
        }
      },
    };
  }

  /** A bar for one item in flight. */
  item(label: string, total: number): ProgressLine {
    const shown = truncateStart(label, 28);
    const bar = this.multibar?.create(total, 0, { label: shown, state: '' });
    this.keepOverallLast();
    let lastState = '';
    return {
      update: (value, state, detail) => {
        if (bar)
          bar.update(Math.min(value, total), { state: detail ? `${state} ${detail}` : state });
        else if (state !== lastState && !this.out.json)
          this.out.stderr.write(`${label}: ${state}\n`);
        lastState = state;
      },
      finish: (state) => {
        if (bar && this.multibar) {
          this.multibar.remove(bar);
          this.multibar.log(`${label}: ${state}\n`);
        } else if (!this.out.json) {
          this.out.stderr.write(`${label}: ${state}\n`);
        }
      },
    };
  }

  /** The overall bar stays under the items' bars: drawn anew after a new item's bar. */
  private keepOverallLast(): void {
    if (!this.multibar || !this.overallBar) return;
    const previous = this.overallBar;
    this.multibar.remove(previous);
    this.overallBar = this.multibar.create(
      previous.getTotal(),
      previous.getProgress() * previous.getTotal(),
      {
        label: this.overallLabel,
        state: this.overallText,
      },
    );
  }

  /** A message above the bars (or a plain line). */
  log(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else if (!this.out.json) this.out.stderr.write(`${line}\n`);
  }

  stop(): void {
    // A last redraw writes the lines logged since the previous one, which stop() alone drops.
    this.multibar?.update();
    this.multibar?.stop();
  }

  private overallState(done: number, failed: number, total: number): string {
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const finished = done + failed;
    const rate = elapsed > 0 ? finished / elapsed : 0;
    const left = rate > 0 && total > finished ? ((total - finished) / rate) * 1000 : undefined;
    const parts = [`${finished}/${total}`, `${done} done`, `${failed} failed`];
    if (rate > 0) parts.push(`${rate.toFixed(1)}/s`);
    if (left !== undefined) parts.push(`${formatDuration(left)} left`);
    else if (total > 0 && finished >= total) parts.push(`in ${formatDuration(elapsed * 1000)}`);
    return parts.join(', ');
  }
}
