import busboy from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { displayTextProblem } from '../../common/display-text';
import { CairnError, invalidInput } from '../../common/errors/cairn-error';
import { fileNameProblem } from './file-name';
import { MAX_SOURCE_KEY_LENGTH, SOURCE_KEY_FIELD, sourceKeyProblem } from './source-key';
import { uploadTooLarge } from './upload-errors';

export const FILE_FIELD = 'file';
export const TITLE_FIELD = 'title';
export const MAX_TITLE_LENGTH = 500;

/** One uploaded file, on local disk until it has been checked and stored. */
export interface ReceivedFile {
  path: string;
  sha256: string;
  sizeBytes: number;
  fileName: string;
  title?: string;
  /** Where the file lives: a later upload under the same key is a new version of it. */
  sourceKey?: string;
}

/**
 * Streams a multipart/form-data request with exactly one file part into a temporary file,
 * hashing and counting the bytes on the way, and stops reading the moment the file grows past
 * `maxBytes`. Rejects with a 4xx CairnError; the temporary file is gone whenever it rejects.
 */
export function receiveMultipartUpload(
  request: IncomingMessage,
  contentType: string,
  maxBytes: number,
  tempDir: string = tmpdir(),
): Promise<ReceivedFile> {
  return new Promise<ReceivedFile>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { ...request.headers, 'content-type': contentType },
        // Keep the client's full file name so that path tricks are refused, not silently trimmed.
        preservePath: true,
        defParamCharset: 'utf8',
        limits: { fields: 10, fieldSize: 16 * 1024, parts: 20 },
      });
    } catch (error) {
      reject(invalidInput(`Invalid multipart request: ${messageOf(error)}`));
      return;
    }

    let settled = false;
    let fileParts = 0;
    let received: Omit<ReceivedFile, 'title' | 'sourceKey'> | undefined;
    let tempPath: string | undefined;
    let fileWritten: Promise<void> | undefined;
    let title: string | undefined;
    let sourceKey: string | undefined;
    // Stops a half-written file when the request fails for another reason (or is aborted).
    const stopWriting = new AbortController();

    const fail = (error: CairnError): void => {
      if (settled) return;
      settled = true;
      request.unpipe(parser);
      stopWriting.abort();
      // Whatever the rest of the body holds is never read; Node discards or drops it.
      void (async () => {
        await fileWritten?.catch(() => undefined);
        if (tempPath) await rm(tempPath, { force: true });
        reject(error);
      })();
    };

    parser.on('file', (field, stream, info) => {
      fileParts += 1;
      if (fileParts > 1) {
        stream.resume();
        return fail(
          invalidInput(
            `Send exactly one file part (field "${FILE_FIELD}"); this request has more than one.`,
          ),
        );
      }
      if (field !== FILE_FIELD) {
        stream.resume();
        return fail(
          invalidInput(
            `Unexpected file field "${field}"; send the document in the field "${FILE_FIELD}".`,
          ),
        );
      }
      const fileName = info.filename ?? '';
      const problem = fileNameProblem(fileName);
      if (problem) {
        stream.resume();
        return fail(invalidInput(problem));
      }

      const hash = createHash('sha256');
      let sizeBytes = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sizeBytes += chunk.length;
          if (sizeBytes > maxBytes) return done(uploadTooLarge(maxBytes));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const path = join(tempDir, `cairn-upload-${randomUUID()}`);
      tempPath = path;
      fileWritten = pipeline(
        stream,
        measure,
        createWriteStream(path, { flags: 'wx', mode: 0o600 }),
        {
          signal: stopWriting.signal,
        },
      )
        .then(() => {
          received = { path, sha256: hash.digest('hex'), sizeBytes, fileName };
        })
        .catch((error: unknown) => {
          fail(error instanceof CairnError ? error : malformed(error));
        });
    });

    parser.on('field', (field, value, info) => {
      if (field === SOURCE_KEY_FIELD) {
        const problem = info.valueTruncated
          ? `${SOURCE_KEY_FIELD}: must be at most ${MAX_SOURCE_KEY_LENGTH} characters`
          : sourceKeyProblem(value);
        if (problem) return fail(invalidInput(problem));
        sourceKey = value;
        return;
      }
      if (field !== TITLE_FIELD) return;
      if (info.valueTruncated || value.length > MAX_TITLE_LENGTH) {
        return fail(invalidInput(`title: must be at most ${MAX_TITLE_LENGTH} characters`));
      }
      const problem = displayTextProblem(value.trim());
      if (problem) return fail(invalidInput(`title: ${problem}`));
      title = value.trim() === '' ? undefined : value.trim();
    });

    const tooManyParts = () =>
      fail(invalidInput('The multipart request has too many parts or fields.'));
    parser.on('partsLimit', tooManyParts);
    parser.on('fieldsLimit', tooManyParts);
    parser.on('error', (error: unknown) => fail(malformed(error)));
    parser.on('close', () => {
      void (async () => {
        await fileWritten;
        if (settled) return;
        if (fileParts === 0 || !received) {
          return fail(invalidInput(`The request has no file part named "${FILE_FIELD}".`));
        }
        settled = true;
        resolve({ ...received, title, sourceKey });
      })();
    });

    // The client went away mid-upload: nobody will read the answer, but the temp file must go.
    request.on('aborted', () => fail(invalidInput('The upload was aborted.')));
    request.on('error', (error) => fail(malformed(error)));
    request.pipe(parser);
  });
}

function malformed(error: unknown): CairnError {
  return invalidInput(`Malformed multipart body: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
