import { describe, expect, it } from 'vitest';
import { fakeFetch } from './fakeFetch';
import { rotateKeys } from './keys';

describe('rotateKeys', () => {
  it('rotates keys with a POST and returns the new list', async () => {
    const keys = [{ kid: 'k2', alg: 'ES256', active: true }];
    const r = fakeFetch(() => Response.json(keys));
    expect(await rotateKeys(r.fn)).toEqual(keys);
    expect(r.calls[0]).toMatchObject({ url: '/api/keys/rotate', method: 'POST' });
  });
});
