// Bulk Data exports and Groups — server/control/exports.go, server/wire (Export, ExportFile, Group)
import { getJSON, request, type Fetch } from './request';

/** One file of a complete export. */
export interface ExportFile {
  /** The resource type, or OperationOutcome for the file of warnings. */
  type: string;
  count: number;
  /** The /api path that downloads it. */
  download: string;
  /** The OperationOutcome file of warnings, not data. */
  error: boolean;
}

/** One $export job an app started (GET /api/exports). */
export interface Export {
  id: string;
  client_id: string;
  /** The kick-off URL. */
  request: string;
  status: 'running' | 'complete' | 'failed';
  /** RFC 3339. */
  created: string;
  finished?: string;
  expires?: string;
  /** 0..1 of the table read. */
  progress: number;
  exported: number;
  files: ExportFile[];
  error?: string;
}

/** One FHIR Group, a cohort a Group-level export covers (GET /api/groups). */
export interface Group {
  id: string;
  name: string;
  type: string;
  /** Active members that are Patients: those a Group-level export covers. */
  members: number;
  /** Every member. */
  total: number;
}

/** GET /api/exports — newest first. */
export async function listExports(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Export[]> {
  return (await getJSON<{ exports: Export[] | null }>('/api/exports', fetchFn, signal)).exports ?? [];
}

/** GET /api/groups. */
export async function listGroups(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<Group[]> {
  return (await getJSON<{ groups: Group[] | null }>('/api/groups', fetchFn, signal)).groups ?? [];
}

/** DELETE /api/exports/{id} — stops the export if it runs and deletes its files. */
export async function deleteExport(id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', `/api/exports/${encodeURIComponent(id)}`, fetchFn);
}
