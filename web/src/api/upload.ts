// Uploads with byte progress. fetch reports no upload progress over HTTP/1.1, so this one call
// uses XMLHttpRequest; its answers are read exactly like every other API answer.
import { ApiError, apiErrorFrom } from './errors';
import { authHeaders, noteUnauthenticated } from './transport';

export interface UploadProgress {
  loaded: number;
  total: number;
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
    for (const [name, value] of Object.entries(authHeaders()))
      request.setRequestHeader(name, value);
    request.responseType = 'json';
    request.upload.onprogress = (event) =>
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    request.onload = () => {
      noteUnauthenticated(request.status);
      if (request.status >= 200 && request.status < 300) {
        resolve(request.response as T);
        return;
      }
      const headers = new Headers();
      for (const name of ['retry-after', 'x-request-id']) {
        const value = request.getResponseHeader(name);
        if (value) headers.set(name, value);
      }
      reject(apiErrorFrom(request.status, request.response, headers));
    };
    request.onerror = () => reject(new ApiError(0, 'The upload could not reach the API'));
    request.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => request.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
