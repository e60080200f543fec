/**
 * One page of a list, newest first as given, in the cursor form both APIs use: `limit` (1 to 1000,
 * default 20) and `after` (OpenAI) or `after_id` (Anthropic), with `first_id`, `last_id`, `has_more`.
 */
export function listPage<T>(
  request: Request,
  items: readonly T[],
  toJSON: (item: T) => object,
  idOf: (item: T) => string = (item) => (item as { id: string }).id,
): { data: object[]; first_id: string | null; last_id: string | null; has_more: boolean } {
  const params = new URL(request.url).searchParams;
  const asked = Number(params.get('limit') ?? 20);
  const limit = Number.isInteger(asked) ? Math.min(1000, Math.max(1, asked)) : 20;
  const after = params.get('after') ?? params.get('after_id');
  const start = after === null ? 0 : items.findIndex((item) => idOf(item) === after) + 1;
  const page = items.slice(start, start + limit);
  return {
    data: page.map(toJSON),
    first_id: page.length > 0 ? idOf(page[0]!) : null,
    last_id: page.length > 0 ? idOf(page.at(-1)!) : null,
    has_more: start + limit < items.length,
  };
}
