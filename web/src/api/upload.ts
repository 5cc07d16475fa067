// Uploads with byte progress: the one request not made with the typed client, because fetch
// reports no upload progress (and Chromium streams request bodies only over HTTP/2). The same
// credentials as the client's go with it, and its answers become the same errors.
import { ApiError, uploadErrorFrom } from './errors';
import { credentialHeaders } from './client';
import { getSession, setSession } from '../auth/session';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** "Annual report 2024.pdf" → "Annual report 2024"; a name that is only an extension stays. */
export function titleOf(fileName: string): string {
  const stem = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '').trim();
  return stem === '' ? fileName : stem;
}

export function uploadFile<T>(
  path: '/documents' | '/imports',
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(credentialHeaders())) {
      request.setRequestHeader(name, value);
    }
    request.responseType = 'json';
    request.upload.onprogress = (event) =>
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    request.onload = () => {
      if (request.status === 401 && getSession()) setSession(null);
      if (request.status >= 200 && request.status < 300) {
        resolve(request.response as T);
        return;
      }
      reject(
        uploadErrorFrom(request.status, request.response, {
          requestId: request.getResponseHeader('x-request-id'),
          retryAfter: request.getResponseHeader('retry-after'),
        }),
      );
    };
    request.onerror = () =>
      reject(new ApiError(0, 'The upload could not reach the API', undefined));
    request.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => request.abort());
    const form = new FormData();
    // A document's title is its file name without the extension (the type is shown apart):
    // titles name what a passage is about, and "report.pdf" is no name of anything.
    if (path === '/documents') form.append('title', titleOf(file.name));
    form.append('file', file, file.name);
    request.send(form);
  });
}
