// Per-process admission (src/auth/admission.guard.ts): an API process serves at most
// MAX_CONCURRENT.upload uploads at once and sheds one more with 503 + Retry-After at once, BEFORE
// the caller's rate budget is drawn, so a shed request costs the caller nothing. The uploads are
// held open by this test (headers and the start of a multipart body sent, the rest withheld), on
// an API process of its own whose upload budget is small and refills slowly.
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { MAX_CONCURRENT } from '../../src/auth/admission.guard';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { testUser, tokenFor } from '../support/auth';

jest.setTimeout(120_000);

const BOUNDARY = `----cairn-admission-${randomUUID()}`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A POST /documents whose multipart body never ends: the API holds its place until we abort. */
function heldUpload(api: ApiProcess, headers: Record<string, string>): ClientRequest {
  const url = new URL('/documents', api.url);
  const request = httpRequest(url, {
    method: 'POST',
    localAddress: ownAddress,
    headers: {
      ...headers,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'transfer-encoding': 'chunked',
    },
  });
  request.on('error', () => undefined); // aborted by the test
  request.write(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="held.txt"\r\n` +
      'Content-Type: text/plain\r\n\r\nThe rest of this file never comes',
  );
  return request;
}

// The rate budget is per user AND per address: calls come from a loopback address of this
// test's own, so no other test's calls have drawn from it.
const ownAddress = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

async function upload(api: ApiProcess, headers: Record<string, string>, text: string) {
  const body = JSON.stringify({ title: `Admission ${text}`, text });
  return new Promise<{ status: number; retryAfter: string | undefined; message?: string }>(
    (resolve, reject) => {
      const request = httpRequest(new URL('/documents', api.url), {
        method: 'POST',
        localAddress: ownAddress,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      });
      request.on('error', reject);
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            message: (JSON.parse(text) as { message?: string }).message,
          });
        });
      });
      request.end(body);
    },
  );
}

async function inFlight(api: ApiProcess): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((row) => row.startsWith('cairn_admission_in_flight{class="upload"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function waitForInFlight(api: ApiProcess, wanted: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let seen = await inFlight(api);
  while (seen !== wanted) {
    if (Date.now() > deadline) throw new Error(`${seen} uploads in flight, not ${wanted}`);
    await sleep(100);
    seen = await inFlight(api);
  }
}

describe('admission: a busy API process sheds uploads before the rate budget is drawn', () => {
  const held = MAX_CONCURRENT.upload;
  const shed = 3;
  // Enough for the held uploads and one more, not for the shed ones too.
  const burst = held + 1;
  let api: ApiProcess;
  let headers: Record<string, string>;

  beforeAll(async () => {
    api = await startApiProcess(
      {
        CAIRN_RATE_LIMIT_UPLOAD_BURST: String(burst),
        // One more every 10 minutes: nothing refills during the test.
        CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '0.1',
      },
      300_000,
    );
    // A user and workspace of its own: a rate budget no other test has drawn from.
    const run = randomUUID().slice(0, 8);
    const token = await tokenFor(testUser(`admission-${run}`));
    const workspaceId = `admission-${run}`;
    const created = await fetch(`${api.url}/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: workspaceId, name: workspaceId }),
    });
    expect(created.status).toBe(201);
    headers = { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
  }, 360_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('answers 503 with Retry-After while full, spends no budget on it, and admits again once a place is free', async () => {
    const requests = Array.from({ length: held }, () => heldUpload(api, headers));
    try {
      // Only once every held upload is admitted (the API then waits for their bodies) can the
      // next one be shed; the process's own gauge says when.
      await waitForInFlight(api, held);
      const busy = await upload(api, headers, `busy ${randomUUID()}`);
      expect(busy.status).toBe(503);
      expect(busy.retryAfter).toMatch(/^\d+$/);
      expect(busy.message).toBe('Uploads are busy; try again in a moment.');
      for (let count = 1; count < shed; count++) {
        const again = await upload(api, headers, `shed ${randomUUID()}`);
        expect({ status: again.status, message: again.message }).toEqual({
          status: 503,
          message: 'Uploads are busy; try again in a moment.',
        });
      }
    } finally {
      for (const request of requests) request.destroy();
    }

    // The places come back as the held connections close; the budget still has one upload in
    // it (burst = held + 1): had the shed answers drawn from it, this would be 429.
    await waitForInFlight(api, 0);
    const accepted = await upload(api, headers, `after ${randomUUID()}`);
    expect(accepted.status).toBe(202);
    // And that was the last of it: the budget is drawn by admitted uploads.
    expect((await upload(api, headers, `over ${randomUUID()}`)).status).toBe(429);
  });
});
