import { describe, expect, it } from 'vitest';
import { base64UrlDecode, decodeJwt, formatNumericDate, lifetime, looksLikeJwt } from './jwt';

const b64urlBytes = (bytes: Uint8Array | number[]) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const b64text = (s: string) => b64urlBytes(new TextEncoder().encode(s));
const b64url = (v: unknown) => b64text(JSON.stringify(v));
const header = { alg: 'ES256', kid: 'k1', typ: 'JWT' };
const claims = { iss: 'http://127.0.0.1:8765/fhir', sub: 'Practitioner/p1', patient: 'pat-1', exp: 1795740648, iat: 1795737048, name: 'Zoë Ångström' };
const token = (sig: string) => `${b64url(header)}.${b64url(claims)}.${sig}`;

describe('decodeJwt', () => {
  it('decodes header and claims, including non-ASCII text', () => {
    expect(decodeJwt(token('abc'))).toEqual({ ok: true, jwt: { header, claims, signature: 'present' } });
  });

  it('reports a signature the server redacted, or none at all', () => {
    expect(decodeJwt(token('REDACTED'))).toMatchObject({ ok: true, jwt: { signature: 'redacted' } });
    expect(decodeJwt(token(''))).toMatchObject({ ok: true, jwt: { signature: 'none' } });
  });

  it('decodes segments whose length needs padding', () => {
    const short = { a: 1 }; // 7 bytes → 10 base64url characters, 2 padding characters dropped
    expect(decodeJwt(`${b64url(short)}.${b64url(short)}.x`)).toMatchObject({ ok: true, jwt: { header: short, claims: short } });
  });

  it.each([
    ['', 'a JWT has 3 dot-separated parts, this has 1'],
    ['abc.def', 'a JWT has 3 dot-separated parts, this has 2'],
    ['a.b.c.d', 'a JWT has 3 dot-separated parts, this has 4'],
    [`${b64url(header)}.not*base64.x`, 'the claims is not base64url-encoded UTF-8'],
    [`${b64text('not json')}.${b64url(claims)}.x`, 'the header is not JSON'],
    [`${b64url(header)}.${b64url([1, 2])}.x`, 'the claims is not a JSON object'],
    [`${b64url(header)}.${b64url('text')}.x`, 'the claims is not a JSON object'],
    [`${b64urlBytes([0xff, 0xfe])}.${b64url(claims)}.x`, 'the header is not base64url-encoded UTF-8'],
    [`${b64url(header)}.A.x`, 'the claims is not base64url-encoded UTF-8'],
  ])('rejects %j', (input, error) => {
    expect(decodeJwt(input)).toEqual({ ok: false, error });
  });
});

describe('base64UrlDecode', () => {
  it('accepts - and _ (RFC 4648 §5) where base64 has + and /', () => {
    const raw = b64urlBytes([0xfb, 0xff]);
    expect(raw).toBe('-_8');
    expect(() => base64UrlDecode(raw)).toThrow(); // not UTF-8, but the alphabet is accepted before decoding
    expect(base64UrlDecode(b64text('?>?'))).toBe('?>?');
  });
  it('rejects standard base64 characters', () => {
    expect(() => base64UrlDecode('ab+/')).toThrow('not base64url');
  });
});

describe('looksLikeJwt', () => {
  it('accepts decodable JWTs only', () => {
    expect(looksLikeJwt(token('REDACTED'))).toBe(true);
    expect(looksLikeJwt('pFvz…REDACTED')).toBe(false);
    expect(looksLikeJwt('eyJhbGciOi.not.valid')).toBe(false);
    expect(looksLikeJwt(42)).toBe(false);
  });
});

describe('time claims', () => {
  it('formats NumericDate seconds as UTC time', () => {
    expect(formatNumericDate(1795737048)).toBe('2026-11-26 23:50:48 UTC');
    expect(formatNumericDate('1795740648')).toBeUndefined();
    expect(formatNumericDate(Number.NaN)).toBeUndefined();
  });
  it('says how long a token lives from exp − iat', () => {
    expect(lifetime(claims)).toBe('valid for 1 h');
    expect(lifetime({ iat: 0, exp: 300 })).toBe('valid for 5 min');
    expect(lifetime({ iat: 0, exp: 90 })).toBe('valid for 90 s');
    expect(lifetime({ exp: 90 })).toBeUndefined();
  });
});
