import { getJSON, type Fetch } from './request';

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
  /** The database file and its write-ahead log, in bytes. */
  database_bytes: number;
  /** Flow events stored. */
  events: number;
  resource_counts: Record<string, number>;
  resource_total: number;
  /** Shared mode (docs/deploy.md): the panel offers sign-out, API keys and registration tokens. */
  shared: boolean;
  /** What is unsafe about how the sandbox is served (--insecure-http), shown on every page. */
  warning?: string;
  /** How far the sandbox clock is moved from the computer's (PUT /api/clock); 0 when it is not. */
  clock_offset_seconds: number;
}

export function getStatus(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Status> {
  return getJSON<Status>('/api/status', fetchFn, signal);
}
