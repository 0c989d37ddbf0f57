import { MissingPeerError, type StoragePeer } from './MissingPeerError.js';

const notFound = (e: unknown, peer: string): boolean => {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  const message = (e as { message?: unknown }).message;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
    && (typeof message !== 'string' || message.includes(peer));
};

/**
 * Loads an optional peer package on first use, so importing a driver (or the
 * adapters root) never loads a database client. A missing package becomes a
 * {@link MissingPeerError} naming what to install; any other failure (a broken
 * native build, say) is rethrown as it is.
 *
 * @example
 * const { Redis } = await loadPeer('ioredis', 'redis', () => import('ioredis'));
 */
export const loadPeer = async <M>(peer: StoragePeer, driver: string, load: () => Promise<M>): Promise<M> => {
  try {
    return await load();
  } catch (e) {
    if (notFound(e, peer)) throw new MissingPeerError(peer, driver, { cause: e });
    throw e;
  }
};
