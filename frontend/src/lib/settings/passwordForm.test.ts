import { describe, expect, it } from 'vitest';
import { chosenUser, emptyPasswordFields, validatePassword, type PasswordFields } from './passwordForm';

const f = (over: Partial<PasswordFields>): PasswordFields => ({ ...emptyPasswordFields(), ...over });

describe('chosenUser', () => {
  it('is the picked practitioner or patient of the chosen kind', () => {
    expect(chosenUser(f({ practitioner: 'Practitioner/dr-1', patient: 'p1' }))).toEqual({ type: 'Practitioner', id: 'dr-1', reference: 'Practitioner/dr-1' });
    expect(chosenUser(f({ userType: 'Patient', practitioner: 'Practitioner/dr-1', patient: 'p1' }))).toEqual({ type: 'Patient', id: 'p1', reference: 'Patient/p1' });
    expect(chosenUser(f({ userType: 'Patient' }))).toBeUndefined();
  });
});

describe('validatePassword', () => {
  it('needs a user, 4 characters and the same entry twice to set', () => {
    expect(validatePassword(f({}), 'set')).toEqual({ ok: false, errors: { user: 'Pick the practitioner first.', password: 'At least 4 characters.' } });
    expect(validatePassword(f({ practitioner: 'dr-1', password: 'abcd', confirm: 'abce' }), 'set')).toEqual({ ok: false, errors: { confirm: 'The two entries differ.' } });
    expect(validatePassword(f({ practitioner: 'dr-1', password: 'abcd', confirm: 'abcd' }), 'set')).toEqual({ ok: true, user: { type: 'Practitioner', id: 'dr-1', reference: 'Practitioner/dr-1' } });
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validatePassword(f({ practitioner: 'dr-1', password: '🔑🔑🔑', confirm: '🔑🔑🔑' }), 'set')).toMatchObject({ ok: false, errors: { password: /4 characters/ } });
  });

  it('needs only a user to remove', () => {
    expect(validatePassword(f({ userType: 'Patient', patient: 'p1' }), 'remove')).toMatchObject({ ok: true, user: { reference: 'Patient/p1' } });
    expect(validatePassword(f({ userType: 'Patient' }), 'remove')).toEqual({ ok: false, errors: { user: 'Pick the patient first.' } });
  });
});
