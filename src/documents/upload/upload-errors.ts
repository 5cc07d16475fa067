import {
  CairnError,
  invalidInput,
  payloadTooLarge,
  unsupportedMediaType,
} from '../../common/errors/cairn-error';
import { DocumentRejectedError } from '../../analysis';

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

export function uploadTooLarge(maxBytes: number): CairnError {
  return payloadTooLarge(
    `The upload is larger than the limit of ${formatBytes(maxBytes)} (${maxBytes} bytes).`,
  );
}

/** Type detection's verdict as an HTTP answer: wrong kind of file 415, unusable text 400. */
export function rejectionToHttp(error: DocumentRejectedError): CairnError {
  if (error.code === 'unsupported_type' || error.code === 'type_mismatch') {
    return unsupportedMediaType(error.message);
  }
  return invalidInput(error.message);
}
