// User passwords — server/control/users.go
import { request, type Fetch } from './request';

export type UserType = 'Practitioner' | 'Patient';

const passwordPath = (type: UserType, id: string) => `/api/users/${type}/${encodeURIComponent(id)}/password`;

/** PUT …/password — 204; a 400 (too short) or 404 (no such user) throws with the server's message. */
export async function setUserPassword(type: UserType, id: string, password: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('PUT', passwordPath(type, id), fetchFn, { body: { password }, noBody: true });
}

/** DELETE …/password — 204; a 404 means the user had no password (or does not exist). */
export async function deleteUserPassword(type: UserType, id: string, fetchFn: Fetch = fetch): Promise<void> {
  await request('DELETE', passwordPath(type, id), fetchFn, { noBody: true });
}
