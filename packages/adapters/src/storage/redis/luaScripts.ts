/**
 * The Lua scripts of the Redis store. Each runs atomically on the node that owns
 * its keys; every key a script touches is passed in KEYS (Redis Cluster rule).
 */

/**
 * Compare-and-set. KEYS[1] the thread hash; in single-node mode also KEYS[2] the
 * due index, updated in the same script. ARGV: expected version, record JSON,
 * dueAt ('' = none), due member. Returns the new version, or 0 on a conflict.
 */
export const CAS_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
local version = current + 1
redis.call('HSET', KEYS[1], 'v', version, 'r', ARGV[2])
if #KEYS >= 2 then
  if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[4]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
end
return version
`;

/**
 * Cluster mode's second step after a compare-and-set: updates the due index only
 * if this version is newer than the one it holds for the member, so writes that
 * arrive late cannot undo newer ones. KEYS: due index, due versions.
 * ARGV: member, version, dueAt ('' = none). Returns 1 if applied.
 */
export const INDEX_SCRIPT = `
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if seen >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1
`;

/**
 * Remember an event id. KEYS[1] the id's key. ARGV: now, until (epoch ms).
 * The key holds \`until\` and expires after \`until - now\` ms (SET NX PX), so
 * dedupe data does not grow; a key whose \`until\` is not after the caller's
 * \`now\` counts as forgotten even before Redis expires it (callers' clocks rule,
 * virtual ones included). Returns 1 the first time, 0 for a duplicate.
 */
export const REMEMBER_SCRIPT = `
local now = tonumber(ARGV[1])
local untl = tonumber(ARGV[2])
local ttl = math.min(untl - now, 1e13)
if ttl > 0 and redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ttl) then return 1 end
local known = tonumber(redis.call('GET', KEYS[1]) or '')
if known and known > now then return 0 end
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl) else redis.call('DEL', KEYS[1]) end
return 1
`;
