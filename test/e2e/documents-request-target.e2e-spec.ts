// POST /documents reads its own body (upload-body-bypass.ts): every request-target form Node
// accepts must reach it the same way, written byte for byte on a socket as a client could.
import { connect } from 'node:net';
import { apiUrl } from '../support/api';
import { defaultAuthHeaders } from '../support/auth';
import { uniqueToken } from '../support/fixtures';

jest.setTimeout(60_000);

const run = uniqueToken();

/** One HTTP/1.1 request written byte for byte on a socket; resolves with the status line's code. */
function rawRequest(head: string, body = ''): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${head.replace(/\n/g, '\r\n')}\r\n\r\n${body}`);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // One response is enough: the server may keep the connection open.
      if (/\r\n\r\n/.test(text)) {
        const length = /content-length: (\d+)/i.exec(text)?.[1];
        const bodyStart = text.indexOf('\r\n\r\n') + 4;
        if (length === undefined || text.length - bodyStart >= Number(length)) socket.end();
      }
    });
    socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), text }));
    socket.on('error', reject);
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer in 30 s')));
  });
}

describe('POST /documents answers every valid request target', () => {
  it.each([
    ['an absolute URL', (host: string) => `http://${host}/documents`],
    ['a fragment', () => '/documents#section'],
    [
      'an absolute URL with a query and a fragment',
      (host: string) => `http://${host}/documents?x=1#f`,
    ],
  ])('with %s: 202, as for the origin form', async (_name, targetOf) => {
    const headers = await defaultAuthHeaders();
    const host = new URL(apiUrl).host;
    const body = JSON.stringify({
      title: `Raw target ${run}`,
      text: `Sent on a raw socket ${run} ${_name}.`,
    });
    const reply = await rawRequest(
      [
        `POST ${targetOf(host)} HTTP/1.1`,
        `Host: ${host}`,
        `Authorization: ${headers.authorization}`,
        `X-Workspace-Id: ${headers['x-workspace-id']}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
      ].join('\n'),
      body,
    );
    expect({ status: reply.status, text: reply.text.slice(0, 400) }).toEqual(
      expect.objectContaining({ status: 202 }),
    );
  });
});
