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

/**
 * Write a side document. KEYS: the document hash, its kind's due index, its kind's
 * expiry index (one slot: see `RedisKeys.doc`). ARGV: expected version, JSON
 * text, dueAt ('' = none), expiresAt ('' = none), now, the document key (index
 * member), the kind's document key prefix, how many expired documents to delete.
 * First deletes up to that many documents of the kind whose expiresAt is at or
 * before `now` (callers' clocks rule, virtual ones included; those keys are built
 * from the prefix, in the same slot as KEYS), then compares and sets. A document
 * with an expiry also gets a TTL of `expiresAt - now` ms, so Redis drops it even if
 * no writer comes back. Returns the new version, or 0 on a conflict.
 */
export const PUT_DOC_SCRIPT = `
local now = tonumber(ARGV[5])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[8]))
for _, m in ipairs(expired) do
  redis.call('DEL', ARGV[7] .. m)
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZREM', KEYS[3], m)
end
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
local version = current + 1
redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2], 't', ARGV[3])
if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[6]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[6]) end
if ARGV[4] == '' then
  redis.call('ZREM', KEYS[3], ARGV[6])
  redis.call('PERSIST', KEYS[1])
else
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
  local ttl = tonumber(ARGV[4]) - now
  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], math.min(ttl, 1e13)) else redis.call('PERSIST', KEYS[1]) end
end
return version
`;

/**
 * Delete a side document at a version. KEYS as {@link PUT_DOC_SCRIPT}. ARGV:
 * expected version (0: succeed only if absent), the document key (index member).
 * Returns 1 when the document is gone, 0 on a conflict.
 */
export const DELETE_DOC_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
if current == 0 then return 1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
`;
