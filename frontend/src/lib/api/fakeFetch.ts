// A fetch for the API modules' tests: it records every call and answers what the test says.

export interface Call {
  url: string;
  method: string;
  /** The body as sent (JSON text), or undefined. */
  body: string | undefined;
}

export function fakeFetch(respond: (c: Call) => Response | Promise<Response>): { fn: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), method: init?.method ?? 'GET', body: init?.body as string | undefined };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { fn, calls };
}

/** The calls with their bodies decoded, to compare with what a function was given. */
export const decoded = (calls: readonly Call[]) => calls.map((c) => ({ url: c.url, method: c.method, body: c.body ? (JSON.parse(c.body) as unknown) : undefined }));
