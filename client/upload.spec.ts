import { CairnApiError } from './index';
import { uploadDocument, type UploadSource } from './upload';

const source = (text: string): UploadSource => ({
  fileName: 'notes "a".md',
  sizeBytes: Buffer.byteLength(text),
  open: () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        // Two chunks, so progress is reported as the body is read.
        const bytes = new TextEncoder().encode(text);
        controller.enqueue(bytes.slice(0, 5));
        controller.enqueue(bytes.slice(5));
        controller.close();
      },
    }),
});

/** A fetch that answers from a list and keeps what each request sent. */
function scriptedFetch(answers: (() => Response)[]) {
  const sent: { headers: Headers; body: string }[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push({ headers: request.headers, body: await request.text() });
    return answers[sent.length - 1]();
  };
  return { sent, fetch: fetchImpl };
}

const accepted = () =>
  new Response(
    JSON.stringify({ id: 'doc-1', status: 'pending', workflowId: 'w', temporalUiUrl: 'u' }),
    {
      status: 202,
      headers: { 'content-type': 'application/json' },
    },
  );

describe('uploadDocument (streaming multipart)', () => {
  it('sends one file part with credentials and workspace, and reports the bytes sent', async () => {
    const { sent, fetch } = scriptedFetch([accepted]);
    const progress: number[] = [];
    const result = await uploadDocument(
      { baseUrl: 'http://api.test/', token: () => 'tok', workspaceId: 'ws', fetch },
      source('hello world'),
      { title: 'Greeting', onProgress: (bytes) => progress.push(bytes) },
    );
    expect(result.id).toBe('doc-1');
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.get('authorization')).toBe('Bearer tok');
    expect(sent[0].headers.get('x-workspace-id')).toBe('ws');
    const boundary = /boundary=(\S+)/.exec(sent[0].headers.get('content-type') ?? '')![1];
    expect(sent[0].body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nGreeting\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes _a_.md"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\nhello world\r\n--${boundary}--\r\n`,
    );
    expect(progress).toEqual([0, 5, 11]);
  });

  it('waits as Retry-After asks on a 429 and sends the whole file again', async () => {
    const limited = () => new Response('{}', { status: 429, headers: { 'retry-after': '0' } });
    const { sent, fetch } = scriptedFetch([limited, limited, accepted]);
    await uploadDocument(
      { baseUrl: 'http://api.test', apiKey: 'ck_x', fetch },
      source('again and again'),
    );
    expect(sent).toHaveLength(3);
    for (const request of sent) {
      expect(request.headers.get('x-api-key')).toBe('ck_x');
      expect(request.body).toContain('\r\n\r\nagain and again\r\n');
    }
  });

  it('waits out a busy API (503 with Retry-After) and sends the whole file again', async () => {
    const busy = () => new Response('{}', { status: 503, headers: { 'retry-after': '0' } });
    const { sent, fetch } = scriptedFetch([busy, accepted]);
    await uploadDocument({ baseUrl: 'http://api.test', fetch }, source('once more'));
    expect(sent).toHaveLength(2);
    expect(sent[1].body).toContain('\r\n\r\nonce more\r\n');
  });

  it('gives up after the allowed tries, and turns the answer into a CairnApiError', async () => {
    const limited = () =>
      new Response(
        JSON.stringify({
          statusCode: 429,
          error: 'Too Many Requests',
          message: 'too many upload requests',
          requestId: 'r-1',
        }),
        { status: 429, headers: { 'retry-after': '0', 'content-type': 'application/json' } },
      );
    const { sent, fetch } = scriptedFetch([limited, limited]);
    const attempt = uploadDocument(
      { baseUrl: 'http://api.test', token: 't', fetch, maxRateLimitRetries: 1 },
      source('x'),
    );
    await expect(attempt).rejects.toEqual(expect.any(CairnApiError));
    await expect(attempt).rejects.toMatchObject({
      status: 429,
      message: 'too many upload requests',
      requestId: 'r-1',
    });
    expect(sent).toHaveLength(2);
  });

  it('does not wait longer than maxRetryWaitMs', async () => {
    const limited = () =>
      new Response('slow down', { status: 429, headers: { 'retry-after': '3600' } });
    const { sent, fetch } = scriptedFetch([limited]);
    await expect(
      uploadDocument({ baseUrl: 'http://api.test', token: 't', fetch }, source('x')),
    ).rejects.toMatchObject({ status: 429, message: 'slow down' });
    expect(sent).toHaveLength(1);
  });
});
