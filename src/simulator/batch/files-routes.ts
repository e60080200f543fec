import { errorResponse, errors, jsonResponse } from '../responses.js';
import type { BatchContext } from './context.js';
import { fileObject } from './file-store.js';
import { bearerGuard } from './guard.js';
import { listPage } from './list-page.js';
import type { Route } from './route-table.js';

/** The Files API's largest upload; the Batch API's own 200 MB limit is checked at validation. */
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** `POST /v1/files` (multipart, `purpose: batch`), `GET`, `GET .../content`, `DELETE`, and the list. */
export function filesRoutes(context: BatchContext): Route[] {
  const { files, options } = context;
  const guard = bearerGuard(options.apiKey);
  const found = (id: string, then: (file: NonNullable<ReturnType<typeof files.get>>) => Response) => {
    const file = files.get(id);
    return file ? then(file) : errorResponse(404, noSuchFile(id));
  };
  return [
    { method: 'POST', path: '/files', handle: guard(upload) },
    {
      method: 'GET',
      path: '/files',
      handle: guard((request) => {
        const purpose = new URL(request.url).searchParams.get('purpose');
        const listed = files.list().filter((file) => purpose === null || file.purpose === purpose);
        return jsonResponse(200, { object: 'list', ...listPage(request, listed.reverse(), fileObject) });
      }),
    },
    {
      method: 'GET',
      path: '/files/:id',
      handle: guard((_, { id }) => found(id!, (f) => jsonResponse(200, fileObject(f)))),
    },
    {
      method: 'GET',
      path: '/files/:id/content',
      handle: guard((_, { id }) =>
        found(
          id!,
          (file) => new Response(file.content, { headers: { 'content-type': 'application/octet-stream' } }),
        ),
      ),
    },
    {
      method: 'DELETE',
      path: '/files/:id',
      handle: guard((_, { id }) =>
        found(id!, (file) => {
          files.delete(file.id);
          return jsonResponse(200, { id: file.id, object: 'file', deleted: true });
        }),
      ),
    },
  ];

  async function upload(request: Request): Promise<Response> {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return errorResponse(
        400,
        errors.badRequest('The body must be multipart/form-data with a file and a purpose.', null),
      );
    }
    const file = form.get('file');
    const purpose = form.get('purpose');
    if (typeof file === 'string' || file === null)
      return errorResponse(400, errors.badRequest("Missing required parameter: 'file'.", 'file'));
    if (purpose !== 'batch')
      return errorResponse(
        400,
        errors.badRequest(
          "The simulator keeps files for the Batch API only: set purpose to 'batch'.",
          'purpose',
        ),
      );
    if (!file.name.endsWith('.jsonl'))
      return errorResponse(
        400,
        errors.badRequest('Invalid file format for the Batch API: it must be .jsonl.', 'file'),
      );
    if (file.size > MAX_UPLOAD_BYTES)
      return errorResponse(400, errors.badRequest('File is too large.', 'file'));
    const content = new Uint8Array(await file.arrayBuffer());
    const createdAt = Math.floor(context.unixMs(context.now()) / 1000);
    const stored = files.add({ filename: file.name, purpose: 'batch', content, createdAt });
    context.stats.batches.count('filesUploaded');
    return jsonResponse(200, fileObject(stored));
  }
}

export function noSuchFile(id: string) {
  return { message: `No such File object: ${id}`, type: 'invalid_request_error', param: 'id', code: null };
}
