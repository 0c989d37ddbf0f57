import { describe, expect, it } from 'vitest';
import { appSecretProof } from '@callperm/adapters/graph';

describe('appSecretProof', () => {
  it('is HMAC-SHA256(token) keyed by the app secret, lowercase hex (openssl dgst -sha256 -hmac)', () => {
    expect(appSecretProof('EAAtoken', 'appsecret')).toBe('b15e563de2a106036cef7807b362777b33c08f4b1fb1251b4a3f5a9eeca7c277');
  });
});
