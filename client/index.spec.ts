import {
  CairnApiError,
  createCairnClient,
  politeFetch,
  readEventStream,
  readJsonEvents,
  retryAfterMs,
  unwrap,
} from './index';

// The client's own logic over scripted responses; its use against the real API is covered by the
// CLI's end-to-end tests and the console's browser journeys.

const streamOf = (...chunks: string[]): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
};

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('readEventStream', () => {
  it('parses events split anywhere across chunks, with every line ending', async () => {
    const events = await collect(
      readEventStream(
        streamOf(
          '\ufeffid: 1\r\nevent: stat',
          'us\ndata: {"a":',
          '1}\r\rdata: line one\ndata: line two\n\n: a comment\n\nevent: heartbeat\ndata: {}\n\n',
          'data: unfinished',
        ),
      ),
    );
    expect(events).toEqual([
      { event: 'status', data: '{"a":1}', id: '1', retry: undefined },
      { event: 'message', data: 'line one\nline two', id: '1', retry: undefined },
      { event: 'heartbeat', data: '{}', id: '1', retry: undefined },
    ]);
  });

  it('gives JSON events without heartbeats', async () => {
    const response = new Response(
      streamOf(
        'data: {"status":"processing"}\n\nevent: heartbeat\ndata: {}\n\n',
        'data: {"status":"indexed"}\n\n',
      ),
    );
    const events = await collect(readJsonEvents<{ status: string }>(response));
    expect(events.map((event) => event.data.status)).toEqual(['processing', 'indexed']);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('politeFetch', () => {
  it('waits out 429s with their Retry-After and sends the body again', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const inner = async (request: Request | string | URL) => {
      bodies.push(await (request as Request).text());
      calls++;
      return calls < 3
        ? new Response('slow down', { status: 429, headers: { 'retry-after': '0' } })
        : new Response('ok', { status: 200 });
    };
    const response = await politeFetch(inner)('http://api/search', {
      method: 'POST',
      body: 'question',
    });
    expect(response.status).toBe(200);
    expect(bodies).toEqual(['question', 'question', 'question']);
  });

  it('waits out a 503 that carries Retry-After (a busy API), not one without it', async () => {
    const answers = (busy: Response) => {
      let calls = 0;
      return async () => (calls++ === 0 ? busy : new Response('ok', { status: 200 }));
    };
    const busy = new Response('busy', { status: 503, headers: { 'retry-after': '0' } });
    expect((await politeFetch(answers(busy))('http://api/search')).status).toBe(200);
    const broken = new Response('down', { status: 503 });
    expect((await politeFetch(answers(broken))('http://api/search')).status).toBe(503);
  });

  it('gives the 429 back after its tries, or when the wait is too long', async () => {
    const always429 = (retryAfter: string) => async () =>
      new Response('', { status: 429, headers: { 'retry-after': retryAfter } });
    const limited = politeFetch(always429('0'), { maxRetries: 2 });
    expect((await limited('http://api/x')).status).toBe(429);
    const started = Date.now();
    const impatient = politeFetch(always429('3600'));
    expect((await impatient('http://api/x')).status).toBe(429);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('createCairnClient and unwrap', () => {
  it('sends the credentials and workspace, read before each request', async () => {
    const seen: Headers[] = [];
    let workspaceId = 'first';
    const client = createCairnClient({
      baseUrl: 'http://api/',
      token: () => 'token-1',
      workspaceId: () => workspaceId,
      fetch: (async (request: Request) => {
        seen.push(request.headers);
        return Response.json({ items: [], total: 0, limit: 20, offset: 0 });
      }) as typeof fetch,
    });
    unwrap(await client.GET('/documents'));
    workspaceId = 'second';
    const page = unwrap(await client.GET('/documents', { params: { query: { limit: 5 } } }));
    expect(page.total).toBe(0);
    expect(seen.map((headers) => headers.get('authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-1',
    ]);
    expect(seen.map((headers) => headers.get('x-workspace-id'))).toEqual(['first', 'second']);
  });

  it("turns an error answer into a CairnApiError with the API's message and request id", async () => {
    const client = createCairnClient({
      baseUrl: 'http://api',
      apiKey: 'ck_test',
      fetch: async () =>
        Response.json(
          {
            statusCode: 404,
            error: 'Not Found',
            message: 'document x not found',
            requestId: 'r-1',
          },
          { status: 404, headers: { 'x-request-id': 'r-1' } },
        ),
    });
    const result = await client.GET('/documents/{id}', { params: { path: { id: 'x' } } });
    expect(() => unwrap(result)).toThrow(CairnApiError);
    try {
      unwrap(result);
    } catch (error) {
      expect(error).toMatchObject({
        status: 404,
        message: 'document x not found',
        requestId: 'r-1',
      });
    }
  });
});
