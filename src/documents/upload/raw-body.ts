import type { IncomingMessage } from 'node:http';
import { uploadTooLarge } from './upload-errors';

/**
 * Reads a request body into a Buffer, refusing it (413) as soon as it passes `maxBytes`.
 * Listeners rather than `for await`, because leaving an async iterator early destroys the
 * socket, and with it the chance to answer.
 */
export function readRawBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const cleanUp = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanUp();
        request.pause();
        reject(uploadTooLarge(maxBytes));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanUp();
      resolve(Buffer.concat(parts, size));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}
