// The control panel's views and hash routing (#/apps). Hash routes need no server-side
// fallback, so the Go handler only ever serves index.html at "/".

export type RouteId = 'dashboard' | 'apps' | 'launch' | 'patients' | 'flows' | 'settings';

export interface Route {
  id: RouteId;
  label: string;
  href: string;
  /** One line on what the view does. */
  summary: string;
  /** True when the view also has item pages at href/{id} (e.g. #/patients/{id}). */
  items?: boolean;
}

export const routes: readonly Route[] = [
  { id: 'dashboard', label: 'Dashboard', href: '#/', summary: 'Where the sandbox runs, how long it has been up, and what it holds.' },
  { id: 'apps', label: 'Apps', href: '#/apps', summary: 'Register SMART apps: client IDs, redirect URIs, scopes, secrets and keys.' },
  { id: 'launch', label: 'Launch', href: '#/launch', summary: 'Build EHR and standalone launches with the patient, encounter and user in context.' },
  { id: 'patients', label: 'Patients', href: '#/patients', summary: 'Browse, generate and import synthetic patients and their records.', items: true },
  { id: 'flows', label: 'Flows', href: '#/flows', summary: 'Watch every step of each OAuth flow live, with decoded tokens.' },
  { id: 'settings', label: 'Settings', href: '#/settings', summary: 'Signing keys, user passwords, and where the sandbox keeps its data.' },
];

const hashPath = (hash: string) => hash.replace(/^#/, '').replace(/[?].*$/, '').replace(/\/+$/, '');

/** The route for a location hash; "" and "#/" are the Dashboard, an unknown path is undefined. */
export function routeFromHash(hash: string): Route | undefined {
  const path = hashPath(hash);
  if (path === '') return routes[0];
  return routes.find((r) => r.href === `#${path}` || (r.items && itemOf(r, path) !== undefined));
}

function itemOf(route: Route, path: string): string | undefined {
  const prefix = `${route.href.slice(1)}/`;
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/** The item id of a hash like #/patients/{id}, or undefined on the view's own page. */
export function itemFromHash(hash: string): string | undefined {
  const route = routeFromHash(hash);
  return route?.items ? itemOf(route, hashPath(hash)) : undefined;
}

export const patientHref = (id: string) => `#/patients/${encodeURIComponent(id)}`;

/** The query of a hash like #/flows?launch=abc (filters a view is opened with), as a map. */
export function hashQuery(hash: string): URLSearchParams {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}

export const flowsHref = (filter: { launch?: string; client?: string }) => {
  const q = new URLSearchParams();
  if (filter.launch) q.set('launch', filter.launch);
  if (filter.client) q.set('client', filter.client);
  return q.toString() ? `#/flows?${q}` : '#/flows';
};
