// The shared event log's Lua scripts (Redis 7.0). Each runs atomically, so the seq counter, the
// stream entry and the projections snapshots are read from (in-progress uploads, recent completed
// ones, watchers per node) never disagree. Keys are listed in LOG_KEYS order for every script.
//
// The epoch is the seq its log starts after: Redis's clock in ms × 1000 when it first found no log.
// A newer epoch's seqs are therefore above every older one's (it would take over 1000 events per ms,
// sustained, to catch up), so a cursor from an older epoch is simply "too old" on every node and gets
// a snapshot: the cursor on the wire stays one number (docs/cluster.md).

export const LOG_KEYS = [
  'meta', // hash: e = epoch, s = last seq, w = watchers total last announced, hb = last script time
  'events', // stream: id `<seq>-0`, fields t (type), u (upload id), j (the event's JSON)
  'live', // hash: s:<id> = started event JSON, p:<id> = latest progress JSON, n:<id> = node id
  'recent', // hash: <id> = completed event JSON
  'recent-order', // zset: <id> scored by completedAt (ms), newest last
  'presence', // hash: <node> = its watcher count
  'nodes', // zset: <node> scored by the time (ms) it counts as dead without a heartbeat
  'applied', // hash: <node> = the last publish number applied (a retried publish is not appended twice)
] as const;

const PRELUDE = `
local meta, stream, live, recent, recentOrder, presence, nodes, applied =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function epoch()
  local e = redis.call('HGET', meta, 'e')
  if e then return e end
  e = string.format('%.0f', now_ms() * 1000)
  redis.call('HSET', meta, 'e', e, 's', e, 'w', '0')
  return e
end
local function append(maxlen, ty, id, rest)
  local seq = string.format('%.0f', redis.call('HINCRBY', meta, 's', 1))
  local json = '{"type":"' .. ty .. '","seq":' .. seq .. rest
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, seq .. '-0', 't', ty, 'u', id, 'j', json)
  return seq, json
end
-- No script ran for a whole TTL: Redis was away (or restarted), so no node could beat. Every node
-- gets a fresh TTL instead of being declared dead for Redis's outage.
local function grace(now, ttl)
  if now - tonumber(redis.call('HGET', meta, 'hb') or now) > ttl then
    for _, node in ipairs(redis.call('ZRANGE', nodes, 0, -1)) do redis.call('ZADD', nodes, now + ttl, node) end
  end
  redis.call('HSET', meta, 'hb', now)
end
-- Prunes nodes whose heartbeat lapsed, then sums the living nodes' counts.
local function watchers_total(now)
  local dead = redis.call('ZRANGEBYSCORE', nodes, '-inf', now)
  for _, node in ipairs(dead) do
    redis.call('ZREM', nodes, node)
    redis.call('HDEL', presence, node)
  end
  local total = 0
  for _, count in ipairs(redis.call('HVALS', presence)) do total = total + tonumber(count) end
  return total
end
local function announce_watchers(maxlen, total)
  redis.call('HSET', meta, 'w', total)
  return append(maxlen, 'watchers', '', ',"count":' .. total .. '}')
end
`;

/**
 * ARGV: node, publish number (0: not deduplicated), type, upload id, the JSON after `"seq":N`
 * (for `watchers`: the node's own count), stream MAXLEN, node TTL (ms), condition, condition arg.
 * Conditions: `orphan` appends only while the upload is still live on node <arg> (a survivor
 * marking a dead node's upload; several survivors may try); `unseen` only if the completed upload is
 * not among the recent ones (re-announcing recent uploads into a new epoch). Returns the seq or 0.
 */
export const PUBLISH = `${PRELUDE}
local node, number, ty, id, rest = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local maxlen, ttl, condition, conditionArg = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9]
epoch()
if number > 0 then
  if number <= tonumber(redis.call('HGET', applied, node) or '0') then return 0 end
  redis.call('HSET', applied, node, number)
end
if condition == 'orphan' and redis.call('HGET', live, 'n:' .. id) ~= conditionArg then return 0 end
if condition == 'unseen' and redis.call('HEXISTS', recent, id) == 1 then return 0 end
local now = now_ms()
grace(now, ttl)
redis.call('ZADD', nodes, 'GT', now + ttl, node)
if redis.call('HEXISTS', presence, node) == 0 then redis.call('HSET', presence, node, 0) end
if ty == 'watchers' then
  redis.call('HSET', presence, node, rest)
  local seq = announce_watchers(maxlen, watchers_total(now))
  return seq
end
local seq, json = append(maxlen, ty, id, rest)
if ty == 'upload.started' or ty == 'upload.paused' then
  redis.call('HSET', live, 's:' .. id, json, 'n:' .. id, node)
  redis.call('HDEL', live, 'p:' .. id)
elseif ty == 'upload.progress' then
  redis.call('HSET', live, 'p:' .. id, json, 'n:' .. id, node)
else
  redis.call('HDEL', live, 's:' .. id, 'p:' .. id, 'n:' .. id)
  if ty == 'upload.completed' then
    redis.call('HSET', recent, id, json)
    redis.call('ZADD', recentOrder, tonumber(ARGV[10]) or now, id)
    local extra = redis.call('ZCARD', recentOrder) - tonumber(ARGV[11] or '20')
    if extra > 0 then
      for _, old in ipairs(redis.call('ZRANGE', recentOrder, 0, extra - 1)) do
        redis.call('HDEL', recent, old)
        redis.call('ZREM', recentOrder, old)
      end
    end
  elseif ty == 'upload.deleted' then
    redis.call('HDEL', recent, id)
    redis.call('ZREM', recentOrder, id)
  end
end
return seq
`;

/**
 * ARGV: node, its watcher count, node TTL (ms), stream MAXLEN, mode (`beat` or `leave`).
 * Keeps the node alive (or removes it), announces the total when it changed (a node died or came
 * back), and returns {epoch, upload id, its node, …} for live uploads whose node is not alive.
 */
export const HEARTBEAT = `${PRELUDE}
local node, count, ttl, maxlen, mode = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local e = epoch()
local now = now_ms()
grace(now, ttl)
if mode == 'leave' then
  redis.call('ZREM', nodes, node)
  redis.call('HDEL', presence, node)
else
  redis.call('ZADD', nodes, now + ttl, node)
  redis.call('HSET', presence, node, count)
end
local total = watchers_total(now)
if total ~= tonumber(redis.call('HGET', meta, 'w') or '-1') then announce_watchers(maxlen, total) end
local result = {e}
local fields = redis.call('HGETALL', live)
for i = 1, #fields, 2 do
  local field, owner = fields[i], fields[i + 1]
  if string.sub(field, 1, 2) == 'n:' and not redis.call('ZSCORE', nodes, owner) then
    table.insert(result, string.sub(field, 3))
    table.insert(result, owner)
  end
end
return result
`;

/**
 * ARGV: how many of the latest entries to return. Everything a node needs to start (or restart)
 * its replica, as of one seq: {epoch, seq, watchers, entries newest first, live hash, recent JSON}.
 */
export const BOOTSTRAP = `${PRELUDE}
local e = epoch()
local ids = redis.call('ZREVRANGE', recentOrder, 0, -1)
local recentEvents = {}
if #ids > 0 then recentEvents = redis.call('HMGET', recent, unpack(ids)) end
return {
  e,
  redis.call('HGET', meta, 's'),
  redis.call('HGET', meta, 'w') or '0',
  redis.call('XREVRANGE', stream, '+', '-', 'COUNT', ARGV[1]),
  redis.call('HGETALL', live),
  recentEvents,
}
`;

/** The epoch, created if Redis has none: the cheap check after a reconnect. */
export const EPOCH = `${PRELUDE}
return epoch()
`;
