import { createHmac } from 'node:crypto';

/**
 * The `appsecret_proof` Meta asks for when an app requires it: HMAC-SHA256 of the
 * access token keyed by the app secret, in lowercase hex. It proves the caller
 * knows the secret without sending it.
 *
 * @example
 * appSecretProof('EAAB...', 'app-secret'); // '3f1c...' (64 hex digits)
 */
export const appSecretProof = (accessToken: string, appSecret: string): string =>
  createHmac('sha256', appSecret).update(accessToken).digest('hex');
