import { simId } from './ids.js';

/** One stored file: an upload (`purpose: batch`) or a batch's output or error file. */
export interface StoredFile {
  readonly id: string;
  readonly filename: string;
  readonly purpose: 'batch' | 'batch_output';
  readonly content: Uint8Array;
  /** Unix seconds. */
  readonly createdAt: number;
}

/** The files of one simulator, in upload order. */
export class FileStore {
  readonly #files = new Map<string, StoredFile>();
  #serial = 0;

  add(file: Omit<StoredFile, 'id'>): StoredFile {
    const id = simId('file-', ++this.#serial);
    const stored = { id, ...file };
    this.#files.set(id, stored);
    return stored;
  }

  get(id: string): StoredFile | undefined {
    return this.#files.get(id);
  }

  delete(id: string): boolean {
    return this.#files.delete(id);
  }

  list(): StoredFile[] {
    return [...this.#files.values()];
  }
}

/** The `file` object of the Files API. */
export function fileObject(file: StoredFile): object {
  return {
    id: file.id,
    object: 'file',
    bytes: file.content.byteLength,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    expires_at: null,
    status_details: null,
  };
}
