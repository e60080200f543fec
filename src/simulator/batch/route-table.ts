/** A route with path parameters: `GET /files/:id/content`. */
export interface Route {
  readonly method: string;
  /** The path without `/v1`, with `:name` segments. */
  readonly path: string;
  readonly handle: (
    request: Request,
    params: Readonly<Record<string, string>>,
  ) => Promise<Response> | Response;
}

/**
 * Finds the route for a method and a path (already without `/v1` and a trailing slash) and calls
 * it; undefined when none matches, so the simulator's own 404 answers.
 */
export function routeTable(
  routes: readonly Route[],
): (request: Request, path: string) => Promise<Response> | Response | undefined {
  const compiled = routes.map((route) => ({ route, segments: route.path.split('/') }));
  return (request, path) => {
    const segments = path.split('/');
    for (const { route, segments: pattern } of compiled) {
      if (route.method !== request.method || pattern.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = pattern.every((part, i) => {
        const actual = segments[i]!;
        if (!part.startsWith(':')) return part === actual;
        const value = decoded(actual);
        if (value === undefined || value === '') return false;
        params[part.slice(1)] = value;
        return true;
      });
      if (matches) return route.handle(request, params);
    }
    return undefined;
  };
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a stray `%`: no route matches it
  }
}
