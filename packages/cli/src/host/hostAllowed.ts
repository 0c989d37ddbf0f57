const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Splits `name[:port]` (IPv6 in brackets) into a lower-case name and the port, if any. */
const split = (value: string): { name: string; port: string | undefined } => {
  const v = value.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return { name: '', port: undefined };
  return { name: m[1] ?? '', port: m[2] };
};

/**
 * Whether a request's `Host` header names this listener: a loopback name or
 * the address it listens on, on its own port (or with no port), or one of
 * `extra` (`name`: any port; `name:port`: that port only). Anything else, a
 * missing header included, is refused: a web page on another name that
 * resolves to this machine (DNS rebinding) cannot talk to the API.
 *
 * @example
 * hostAllowed('127.0.0.1:3001', { listenHost: '127.0.0.1', port: 3001 }); // true
 * hostAllowed('evil.example:3001', { listenHost: '127.0.0.1', port: 3001 }); // false
 * hostAllowed('api.internal', { listenHost: '127.0.0.1', port: 3001, extra: ['api.internal'] }); // true
 */
export const hostAllowed = (
  header: string | undefined,
  listener: { readonly listenHost: string; readonly port: number; readonly extra?: readonly string[] },
): boolean => {
  if (header === undefined || header === '') return false;
  const { name, port } = split(header);
  if (name === '') return false;
  const listen = split(listener.listenHost.includes(':') && !listener.listenHost.startsWith('[') ? `[${listener.listenHost}]` : listener.listenHost).name;
  if ((LOOPBACK_NAMES.includes(name) || name === listen) && (port === undefined || Number(port) === listener.port)) return true;
  return (listener.extra ?? []).some((allowed) => {
    const a = split(allowed);
    return a.name !== '' && a.name === name && (a.port === undefined || a.port === port);
  });
};
