// The control panel's only gateway to the Go server (STYLE.md practice 11): components import
// typed functions from here and never call fetch themselves, so the wire contract lives in one place.

/** GET /api/status — what the running sandbox is and where it can be reached. */
export interface Status {
  version: string;
  started_at: string;
  uptime_seconds: number;
  base_url: string;
  control_panel_url: string;
  fhir_base_url: string;
  smart_configuration_url: string;
  data_file: string;
  resource_counts: Record<string, number>;
  resource_total: number;
}

/** A failed control-API call, with the HTTP status when the server answered at all. */
export class ApiError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

type Fetch = typeof fetch;

async function getJSON<T>(path: string, fetchFn: Fetch, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetchFn(path, { headers: { Accept: 'application/json' }, signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the Valet server (${path}).`);
  }
  if (!res.ok) {
    const detail = (await res.text().catch(() => '')).trim().slice(0, 200);
    throw new ApiError(`${path} answered ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`, res.status);
  }
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(`${path} did not return valid JSON.`, res.status);
  }
}

export function getStatus(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Status> {
  return getJSON<Status>('/api/status', fetchFn, signal);
}
