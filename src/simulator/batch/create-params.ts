import { type ErrorFields, errors } from '../responses.js';
import type { FileStore, StoredFile } from './file-store.js';
import { noSuchFile } from './files-routes.js';

/** The endpoint the simulator runs batches for. */
export const BATCH_ENDPOINT = '/v1/chat/completions';

export interface CreateParams {
  readonly file: StoredFile;
  readonly metadata: Readonly<Record<string, string>> | null;
}

/**
 * Checks a `POST /v1/batches` body: an uploaded `purpose: batch` file, the chat endpoint, the 24h
 * window, and at most 16 string metadata values. The file's lines are checked later, at validation.
 */
export function readCreateParams(
  body: Record<string, unknown>,
  files: FileStore,
): CreateParams | ErrorFields {
  const { input_file_id: fileId, endpoint, completion_window: window, metadata = null } = body;
  if (typeof fileId !== 'string')
    return errors.badRequest("Missing required parameter: 'input_file_id'.", 'input_file_id');
  const file = files.get(fileId);
  if (!file) return { ...noSuchFile(fileId), param: 'input_file_id' };
  if (file.purpose !== 'batch')
    return errors.badRequest("The input file must have purpose 'batch'.", 'input_file_id');
  if (endpoint !== BATCH_ENDPOINT)
    return errors.badRequest(`The simulator runs batches for ${BATCH_ENDPOINT} only.`, 'endpoint');
  if (window !== '24h')
    return errors.badRequest("Invalid 'completion_window': only '24h' is supported.", 'completion_window');
  if (!validMetadata(metadata))
    return errors.badRequest("Invalid 'metadata': at most 16 string values.", 'metadata');
  return { file, metadata };
}

function validMetadata(metadata: unknown): metadata is Record<string, string> | null {
  if (metadata === null) return true;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return false;
  const values = Object.values(metadata as object);
  return values.length <= 16 && values.every((value) => typeof value === 'string' && value.length <= 512);
}
