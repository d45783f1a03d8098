// The Settings view's user passwords: who is chosen, and the checks the server makes too
// (server/auth/passwords.go: at least 4 characters; the user must exist in the FHIR store).
import type { UserType } from '../api';

/** server/auth.MinPasswordLength: shorter would only look like protection. */
export const MIN_PASSWORD_LENGTH = 4;

export interface PasswordFields {
  userType: UserType;
  /** Practitioner/{id} (from the picker or typed). */
  practitioner: string;
  /** Patient id (from the patient picker). */
  patient: string;
  password: string;
  confirm: string;
}

export const emptyPasswordFields = (): PasswordFields => ({ userType: 'Practitioner', practitioner: '', patient: '', password: '', confirm: '' });

export interface PasswordUser {
  type: UserType;
  id: string;
  reference: string;
}

/** The user the form names, or undefined while none is chosen. */
export function chosenUser(f: PasswordFields): PasswordUser | undefined {
  if (f.userType === 'Practitioner') {
    const id = f.practitioner.trim().replace(/^Practitioner\//, '');
    return id ? { type: 'Practitioner', id, reference: `Practitioner/${id}` } : undefined;
  }
  const id = f.patient.trim().replace(/^Patient\//, '');
  return id ? { type: 'Patient', id, reference: `Patient/${id}` } : undefined;
}

export type PasswordErrors = Partial<Record<'user' | 'password' | 'confirm', string>>;

/** Checks before PUT …/password; removing needs only a user. */
export function validatePassword(f: PasswordFields, action: 'set' | 'remove'): { ok: true; user: PasswordUser } | { ok: false; errors: PasswordErrors } {
  const errors: PasswordErrors = {};
  const user = chosenUser(f);
  if (!user) errors.user = `Pick the ${f.userType === 'Practitioner' ? 'practitioner' : 'patient'} first.`;
  if (action === 'set') {
    if ([...f.password].length < MIN_PASSWORD_LENGTH) errors.password = `At least ${MIN_PASSWORD_LENGTH} characters.`;
    else if (f.confirm !== f.password) errors.confirm = 'The two entries differ.';
  }
  return user && Object.keys(errors).length === 0 ? { ok: true, user } : { ok: false, errors };
}
