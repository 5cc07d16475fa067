import { CairnError, payloadTooLarge } from '../common/errors/cairn-error';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function importTooLarge(maxBytes: number): CairnError {
  return payloadTooLarge(
    `The import is larger than the limit of ${maxBytes} bytes (CAIRN_MAX_IMPORT_BYTES).`,
  );
}

/**
 * Streams a raw request body into a temporary file, refusing it (413) the moment it passes
 * `maxBytes`. Listeners rather than pipeline(), because destroying the request on error would
 * also destroy the socket, and with it the chance to answer 413. The file is gone on rejection.
 */
export function receiveRawBodyToFile(
  request: IncomingMessage,
  maxBytes: number,
): Promise<{ path: string; sizeBytes: number }> {
  const path = join(tmpdir(), `cairn-import-${randomUUID()}`);
  const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  return new Promise((resolve, reject) => {
    let sizeBytes = 0;
    let settled = false;
    const stop = (error: Error) => {
      if (settled) return;
      settled = true;
      detach();
      request.pause();
      file.destroy();
      void rm(path, { force: true }).finally(() => reject(error));
    };
    const onData = (chunk: Buffer) => {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) return stop(importTooLarge(maxBytes));
      if (!file.write(chunk)) {
        request.pause();
        file.once('drain', () => request.resume());
      }
    };
    const onEnd = () => {
      if (settled) return;
      detach();
      file.end(() => {
        settled = true;
        resolve({ path, sizeBytes });
      });
    };
    const onAborted = () => stop(new Error('The upload was aborted.'));
    const detach = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', stop);
      request.off('aborted', onAborted);
    };
    file.on('error', stop);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', stop);
    request.on('aborted', onAborted);
  });
}
