/**
 * The Lua scripts of the Redis store. Each runs atomically on the node that owns
 * its keys; every key a script touches is passed in KEYS (Redis Cluster rule).
 */

/**
 * The thread compare-and-set with its history append, as a Lua function shared by
 * {@link CAS_SCRIPT} and {@link COMMIT_SCRIPT} so the logic exists once. It reads
 * the ARGV layout both scripts share (see {@link COMMIT_SCRIPT}): expected
 * version, record JSON, dueAt ('' = none), due member, now, until, historyBefore,
 * history TTL ('' = keep), then (score, member) pairs. `due` is the due index
 * key, or nil in cluster mode (another slot: {@link INDEX_SCRIPT} updates it);
 * `history` is the thread's history key (the thread's slot). Only the stored
 * version is read, never the record, so a row that no longer decodes can be
 * replaced. The history is appended only when the version matched; then entries
 * scored before historyBefore are trimmed and the key's TTL is raised to the
 * history TTL (never lowered: an entry appended late, with an older `at`, does
 * not shorten the life of newer ones). Returns the new version, or 0 on a conflict.
 */
const CAS_FUNCTION = `
local function compareAndSet(thread, due, history)
  local current = tonumber(redis.call('HGET', thread, 'v') or '0')
  if current ~= tonumber(ARGV[1]) then return 0 end
  local version = current + 1
  redis.call('HSET', thread, 'v', version, 'r', ARGV[2])
  if due then
    if ARGV[3] == '' then redis.call('ZREM', due, ARGV[4]) else redis.call('ZADD', due, ARGV[3], ARGV[4]) end
  end
  if #ARGV > 8 then
    redis.call('ZADD', history, unpack(ARGV, 9))
    redis.call('ZREMRANGEBYSCORE', history, '-inf', '(' .. ARGV[7])
    if ARGV[8] == '' then
      redis.call('PERSIST', history)
    else
      local ttl = tonumber(ARGV[8])
      if redis.call('PTTL', history) < ttl then redis.call('PEXPIRE', history, ttl) end
    end
  end
  return version
end
`;

/**
 * Remembering an event id, as a Lua function shared by {@link REMEMBER_SCRIPT}
 * and {@link COMMIT_SCRIPT}. The key holds `until` and expires after
 * `until - now` ms (SET NX PX), so dedupe data does not grow; a key whose
 * `until` is not after the caller's `now` counts as forgotten even before
 * Redis expires it (callers' clocks rule, virtual ones included). `untilText` is
 * stored as given (ARGV text). Returns 1 the first time, 0 for a duplicate.
 */
const REMEMBER_FUNCTION = `
local function remember(key, nowText, untilText)
  local now = tonumber(nowText)
  local untl = tonumber(untilText)
  local ttl = math.min(untl - now, 1e13)
  if ttl > 0 and redis.call('SET', key, untilText, 'NX', 'PX', ttl) then return 1 end
  local known = tonumber(redis.call('GET', key) or '')
  if known and known > now then return 0 end
  if ttl > 0 then redis.call('SET', key, untilText, 'PX', ttl) else redis.call('DEL', key) end
  return 1
end
`;

/**
 * Cluster mode's compare-and-set with its history (see {@link CAS_FUNCTION}):
 * KEYS the thread hash and its history (one slot); ARGV as {@link COMMIT_SCRIPT}.
 * The due index is updated after it by {@link INDEX_SCRIPT}. Returns the write's
 * order, the new version plus the thread's base `b` (the orders of the rows
 * retired before it: see {@link RETIRE_ROW_SCRIPT}; absent, 0), or 0 on a conflict.
 */
export const CAS_SCRIPT = `${CAS_FUNCTION}
local version = compareAndSet(KEYS[1], nil, KEYS[2])
if version == 0 then return 0 end
return version + tonumber(redis.call('HGET', KEYS[1], 'b') or '0')
`;

/**
 * Cluster mode's second step after a compare-and-set: updates the due index only
 * if this write's order (from {@link CAS_SCRIPT}) is newer than the one it holds
 * for the member, so writes that arrive late cannot undo newer ones. KEYS: due
 * index, due versions. ARGV: member, order, dueAt ('' = none). Returns 1 if applied.
 */
export const INDEX_SCRIPT = `
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if seen >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1
`;

/**
 * Remember an event id (see {@link REMEMBER_FUNCTION}). KEYS[1] the id's key.
 * ARGV: now, until (epoch ms). Returns 1 the first time, 0 for a duplicate.
 */
export const REMEMBER_SCRIPT = `${REMEMBER_FUNCTION}
return remember(KEYS[1], ARGV[1], ARGV[2])
`;

/**
 * Single-node commit: a compare-and-set, its due index, its history and the
 * remembering of the events' ids in one script, so no reader sees the record
 * without its ids or its history. KEYS: the thread hash, the due index, the
 * thread's history, then one key per event id, in order. ARGV: expected version,
 * record JSON ('' = no record: no version check, nothing written), dueAt
 * ('' = none), due member, now, until, historyBefore, history TTL in ms ('' =
 * keep forever), then a (score `at`, member) pair per history entry. The ids are
 * remembered one by one, in order, so an id twice is a duplicate the second time.
 * Returns an empty array on a conflict (nothing remembered or appended), else the
 * version (the expected one when there was no record) then 1 or 0 per id (first
 * or duplicate).
 */
export const COMMIT_SCRIPT = `${CAS_FUNCTION}${REMEMBER_FUNCTION}
local version = tonumber(ARGV[1])
if ARGV[2] ~= '' then
  version = compareAndSet(KEYS[1], KEYS[2], KEYS[3])
  if version == 0 then return {} end
end
local reply = { version }
for i = 4, #KEYS do reply[#reply + 1] = remember(KEYS[i], ARGV[5], ARGV[6]) end
return reply
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

/**
 * Single-node retire: deletes the thread hash and its due-index member only if
 * the stored version is the expected one (0: the hash has no version, so there
 * is no row: nothing to delete but a stray field). The history and the event ids
 * are other keys, untouched. KEYS: the thread hash, the due index. ARGV: expected
 * version, due member. Returns 1 when the row is gone, 0 on a conflict.
 */
export const RETIRE_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`;

/**
 * Cluster mode's retire, first step (the thread's slot): deletes the row if the
 * stored version is the expected one and leaves the hash holding only `b`, the
 * order of the row's last write. Versions start again at 1, but orders (version
 * plus `b`, see {@link CAS_SCRIPT}) keep growing, so the due index, in another
 * slot, can still tell a late write of the retired row from a write of a new one.
 * KEYS: the thread hash. ARGV: expected version. Returns -1 on a conflict, else
 * the retire's order for {@link UNINDEX_SCRIPT} (0: nothing was ever indexed).
 */
export const RETIRE_ROW_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
local order = tonumber(redis.call('HGET', KEYS[1], 'b') or '0') + current
redis.call('DEL', KEYS[1])
if order > 0 then redis.call('HSET', KEYS[1], 'b', order) end
return order
`;

/**
 * Cluster mode's retire, second step: removes the member from the due index
 * unless a newer write (a greater order) was indexed already, and records the
 * retire's order, so an index write of the retired row arriving late (an order
 * at most this one) is refused. KEYS: due index, due versions. ARGV: member,
 * order. Returns 1 if applied.
 */
export const UNINDEX_SCRIPT = `
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if seen > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;
