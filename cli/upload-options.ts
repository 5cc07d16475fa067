import type { UploadClientOptions } from '../client/upload';
import type { CliContext } from './context';

/** The credentials and workspace of the context, for the streaming uploads of client/upload. */
export function clientOptions(context: CliContext): UploadClientOptions {
  return {
    baseUrl: context.settings.apiUrl,
    token: context.settings.token,
    apiKey: context.settings.apiKey,
    workspaceId: context.settings.workspace,
  };
}
