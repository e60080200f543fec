/**
 * Whether the request carries the simulator's key as Anthropic clients send it: `x-api-key`, or
 * `Authorization: Bearer` (the SDK's `authToken`). Always true when no key is set.
 */
export function authorizedAnthropic(request: Request, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  return (
    request.headers.get('x-api-key') === apiKey || request.headers.get('authorization') === `Bearer ${apiKey}`
  );
}
