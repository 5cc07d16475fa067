import type { IncomingMessage, ServerResponse } from 'node:http';
import { keepUploadBodyUnparsed, uploadContentType } from './upload-body-bypass';

function passThrough(method: string, url: string): IncomingMessage {
  const request = { method, url, headers: { 'content-type': 'application/json' } };
  keepUploadBodyUnparsed(request as unknown as IncomingMessage, {} as ServerResponse, () => {});
  return request as unknown as IncomingMessage;
}

describe('keepUploadBodyUnparsed', () => {
  it.each([
    '/documents',
    '/documents/',
    '/Documents?x=1',
    '/documents#fragment',
    '/documents?x=1#fragment',
    'http://cairn.example/documents',
    'https://cairn.example:8443/documents?x=1',
    'http://cairn.example/documents#fragment',
  ])('hides the body of POST %s from the body parsers', (url) => {
    const request = passThrough('POST', url);
    expect(request.headers['content-type']).toBeUndefined();
    expect(uploadContentType(request)).toBe('application/json');
  });

  it.each([
    ['POST', '/documents/123/retry'],
    ['POST', '//documents'],
    ['POST', 'http://cairn.example/imports'],
    ['GET', '/documents'],
  ])('leaves %s %s alone', (method, url) => {
    const request = passThrough(method, url);
    expect(request.headers['content-type']).toBe('application/json');
  });
});
