import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered. */
  answered: number;
  at: number;
}

/**
 * An HTTP receiver on loopback for webhook tests: records every request and answers 200, or
 * 500 for the next `failNext` requests.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  failNext = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answered = this.failNext > 0 ? 500 : 200;
        if (this.failNext > 0) this.failNext -= 1;
        this.requests.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered,
          at: Date.now(),
        });
        response.writeHead(answered, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/cairn`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Requests whose JSON body matches, waiting up to timeoutMs for at least `count` of them. */
  async waitFor(
    match: (
      event: { type: string; data: Record<string, unknown> },
      request: ReceivedRequest,
    ) => boolean,
    options: { count?: number; timeoutMs?: number } = {},
  ): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 90_000);
    for (;;) {
      const found = this.requests.filter((request) => match(JSON.parse(request.body), request));
      if (found.length >= (options.count ?? 1)) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `expected ${options.count ?? 1} matching webhook requests, got ${found.length} of ${this.requests.length}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
