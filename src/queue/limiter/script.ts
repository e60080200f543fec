/**
 * The shared limiter's Lua script: one hash per organisation and model holds two continuously
 * refilled buckets (requests and tokens), the limits learned from the server's headers, a pause
 * that a 429 sets for every worker, and what reconciles our estimates with what the server counted.
 * Every operation is one atomic script run, so workers on many hosts see one budget. Time is Redis
 * `TIME` (one clock for every host), or `ARGV[2]` when a test passes it to make the arithmetic exact.
 *
 *   KEYS[1]  the limiter's hash
 *   ARGV[1]  'acquire' | 'done' | 'state'
 *   ARGV[2]  now in ms, or '' for Redis TIME
 *   ARGV[3]  configured requests per minute, or '' (an upper bound the headers may only lower)
 *   ARGV[4]  configured tokens per minute, or ''
 *   ARGV[5]  burst: milliseconds of refill a bucket holds
 *   acquire  ARGV[6] estimated tokens, ARGV[7] caller id, ARGV[8] ms this call has waited so far
 *            -> {'ok', reserved, requestsLeft, tokensLeft, loweredRequests, loweredTokens, generation, probe, seq}
 *             | {'wait', ms, 'paused' | 'requests' | 'tokens' | 'probing'}
 *             | {'too_large', tokensPerMinute, estimate}
 *   done     ARGV[6..22] see `done` below -> {'ok'}
 *   state    -> the hash as a flat list
 *
 * Numbers go back as strings: Redis would truncate a Lua number to an integer.
 */
export const LIMITER_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local op = ARGV[1]
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local cfgR = tonumber(ARGV[3])
local cfgT = tonumber(ARGV[4])
local burst = tonumber(ARGV[5])
local EPS = 1e-6
-- Answers before the first limit headers: at most this many calls probe an unknown server at once.
local PROBES = 4

if op == 'state' then return redis.call('HGETALL', key) end

local s = {}
local raw = redis.call('HGETALL', key)
for i = 1, #raw, 2 do s[raw[i]] = tonumber(raw[i + 1]) end
local headroom = s.hd or 1
local gen = s.g or 0

-- The limit in force: the learned one (less the headroom that unpredicted 429s took off), never
-- above a configured one.
local function limit(cfg, learned)
  local l = learned and learned * headroom or nil
  if cfg and (not l or cfg < l) then l = cfg end
  return l
end
local limR = limit(cfgR, s.lr)
local limT = limit(cfgT, s.lt)
local function cap(l) return math.max(1, l * burst / 60000) end

-- Continuous refill since the last touch; a bucket that never spent anything is full.
local elapsed = math.max(0, now - (s.at or now))
local function refill(level, l)
  if not l then return nil end
  if level == nil then return cap(l) end
  return math.min(cap(l), level + elapsed * l / 60000)
end
s.r = refill(s.r, limR)
s.t = refill(s.t, limT)
s.at = math.max(s.at or now, now)

local function save()
  local flat = {}
  for k, v in pairs(s) do
    flat[#flat + 1] = k
    flat[#flat + 1] = tostring(v)
  end
  redis.call('DEL', key)
  if #flat > 0 then redis.call('HSET', key, unpack(flat)) end
  -- Learned limits outlive a run, not an idle afternoon.
  redis.call('PEXPIRE', key, 3600000)
end

if op == 'acquire' then
  local est = tonumber(ARGV[6]) or 0
  local me = ARGV[7]
  local waited = tonumber(ARGV[8]) or 0
  if (s.p or 0) > now then
    save()
    return {'wait', tostring(s.p - now), 'paused'}
  end
  if not limR and not limT and not s.seen then
    if (s.pe or 0) <= now then s.pn = 0 end
    if (s.pn or 0) >= PROBES then
      save()
      return {'wait', '100', 'probing'}
    end
    s.pn = (s.pn or 0) + 1
    s.pe = now + 30000
    s.sq = (s.sq or 0) + 1
    save()
    return {'ok', '0', '', '', '0', '0', tostring(gen), '1', tostring(s.sq)}
  end
  -- More than a minute's tokens can never pass, however long it waits.
  local hardT = s.lt and math.min(s.lt, cfgT or s.lt) or cfgT
  if hardT and est > hardT then
    save()
    return {'too_large', tostring(hardT), tostring(est)}
  end
  -- Reserve what answers have really cost relative to our estimates, so that answers longer than
  -- estimated do not overdraw the server's bucket before their usage is reconciled.
  local factor = math.min(2, math.max(1, (s.em or 1) + 2 * (s.ed or 0.1)))
  local reserved = limT and math.min(est * factor, limT) or 0
  local needT = limT and math.min(reserved, cap(limT)) or 0
  local claimed = s.ce and s.ce > now and s.ci ~= tonumber(me) and s.cl or 0
  local waitR, waitT = 0, 0
  if limR and s.r < 1 - EPS then waitR = (1 - s.r) * 60000 / limR end
  if limT and s.t - claimed < needT - EPS then waitT = (needT - s.t + claimed) * 60000 / limT end
  if waitR > 0 or waitT > 0 then
    -- No starvation: a call that has waited one refill of what it needs claims those tokens, and
    -- smaller calls from every worker leave them until it has gone (or its claim lapses).
    if waitT > 0 and claimed == 0 and waited >= needT * 60000 / limT then
      s.cl, s.ci = needT, tonumber(me)
      s.ce = now + waitT + 2000
    end
    save()
    if waitR >= waitT then return {'wait', tostring(waitR), 'requests'} end
    return {'wait', tostring(waitT), 'tokens'}
  end
  if limR then s.r = s.r - 1 end
  if limT then s.t = s.t - reserved end
  if s.ci == tonumber(me) then s.cl, s.ci, s.ce = nil, nil, nil end
  -- The order calls were admitted in: an answer can tell whether a later call's has been taken.
  s.sq = (s.sq or 0) + 1
  save()
  return {'ok', tostring(reserved), tostring(s.r or ''), tostring(s.t or ''),
    tostring(s.cr or 0), tostring(s.ct or 0), tostring(gen), '0', tostring(s.sq)}
end

if op == 'done' then
  -- ARGV[6] reserved, [7] estimate, [8] tokens the server charged ('' unknown), [9] '1' to give the
  -- request back (never sent), [10] '1' when it was a probe, [11] [12] limit headers (requests,
  -- tokens), [13] [14] remaining headers, [15] [16] our levels right after this call took its share,
  -- [17] [18] what had been lowered by then, [19] the generation it was sent under ('' for a probe),
  -- [20] pause ms when the answer was a 429, [21] '1' when the server answered at all, [22] the
  -- call's place in the order of admissions.
  local reserved = tonumber(ARGV[6]) or 0
  local est = tonumber(ARGV[7]) or 0
  local charged = tonumber(ARGV[8])
  local hdrLimR, hdrLimT = tonumber(ARGV[11]), tonumber(ARGV[12])
  local remR, remT = tonumber(ARGV[13]), tonumber(ARGV[14])
  local sentR, sentT = tonumber(ARGV[15]), tonumber(ARGV[16])
  local lowR, lowT = tonumber(ARGV[17]) or 0, tonumber(ARGV[18]) or 0
  local sentGen = tonumber(ARGV[19])
  local pause = tonumber(ARGV[20])
  local seq = tonumber(ARGV[22])
  if ARGV[10] == '1' and (s.pn or 0) > 0 then s.pn = s.pn - 1 end
  -- Answers come back out of order. Once the remaining of a call admitted after this one has
  -- lowered our level, the server had counted this call in it at what it charged: reconciling it
  -- again would count its difference twice. And its remaining is older than one already taken.
  local counted = seq and s.fq and seq < s.fq
  local older = seq and s.dq and seq < s.dq

  -- Reconcile: the reservation becomes what the server counted. The change is a correction
  -- like the lowerings below, either way: a later answer compares its level at send with the
  -- server's less the corrections since, and the server counted this call at its charge.
  if charged and limT and s.t and not counted then
    local before = s.t
    s.t = math.min(cap(limT), s.t + reserved - charged)
    s.ct = (s.ct or 0) + before - s.t
  end
  if charged and est > 0 then
    local ratio = charged / est
    local mean = s.em or 1
    s.em = mean * 0.95 + ratio * 0.05
    s.ed = (s.ed or 0.1) * 0.95 + math.abs(ratio - mean) * 0.05
  end
  if ARGV[9] == '1' and limR and s.r then s.r = math.min(cap(limR), s.r + 1) end

  -- Learn the limits the server states. A bucket just learned takes the server's remaining.
  local freshR = hdrLimR and not limR
  local freshT = hdrLimT and not limT
  if ARGV[21] == '1' then s.seen = 1 end
  if hdrLimR then s.lr = hdrLimR end
  if hdrLimT then s.lt = hdrLimT end
  local wasR, wasT = limR, limT
  limR, limT = limit(cfgR, s.lr), limit(cfgT, s.lt)
  -- Levels taken under another limit say nothing about this one.
  if limR ~= wasR or limT ~= wasT then gen = gen + 1 end
  if limR then s.r = math.min(s.r or cap(limR), cap(limR)) end
  if limT then s.t = math.min(s.t or cap(limT), cap(limT)) end

  -- Follow the server's remaining (scaled from its minute to our burst): only a shortfall against
  -- our level when this call was sent, less what was lowered since, is taken off now.
  local followed = false
  local function follow(level, l, rem, hdrLim, fresh, sent, lowSent, lowNow)
    if not l or not rem or not hdrLim then return level, lowNow end
    local server = rem / hdrLim * cap(l)
    local short
    if fresh then short = level - server
    elseif sent and sentGen == gen and not older then short = sent - (lowNow - lowSent) - server end
    if short and short > 0 then
      followed = true
      return level - short, lowNow + short
    end
    return level, lowNow
  end
  s.r, s.cr = follow(s.r, limR, remR, hdrLimR, freshR, sentR, lowR, s.cr or 0)
  s.t, s.ct = follow(s.t, limT, remT, hdrLimT, freshT, sentT, lowT, s.ct or 0)
  if seq and followed then s.fq = math.max(s.fq or 0, seq) end
  if seq and (remR or remT) then s.dq = math.max(s.dq or 0, seq) end

  -- A 429: every worker pauses, and the budget the server says ran out is emptied. One that our
  -- budget did not predict (the call went under a known limit) takes 1% off the learned limits,
  -- at most once a second, down to 90%. A stray 429 (a host that stalled, then sent at once)
  -- costs little; only 429s more often than one per 10 s keep the limits lowered.
  if pause then
    s.p = math.max(s.p or 0, now + pause)
    local blameR = remR == 0 or remT ~= 0
    local blameT = remT == 0 or remR ~= 0
    if blameR and s.r and s.r > 0 then s.cr = (s.cr or 0) + s.r; s.r = 0 end
    if blameT and s.t and s.t > 0 then s.ct = (s.ct or 0) + s.t; s.t = 0 end
    if sentGen and (limR or limT) and now - (s.hc or -1e18) >= 1000 and headroom > 0.9 then
      s.hd = math.max(0.9, headroom - 0.01)
      s.hc = now
      gen = gen + 1
    end
  end
  -- Every 10 s without an unpredicted 429 gives 1% of the headroom back: a burst of bad luck
  -- must not keep every worker below the limit for the rest of the run.
  if not pause and headroom < 1 and now - (s.hc or now) >= 10000 then
    s.hd = math.min(1, headroom + 0.01)
    s.hc = now
    gen = gen + 1
  end
  s.g = gen
  save()
  return {'ok'}
end

return redis.error_reply('volley limiter: unknown operation ' .. tostring(op))
`;
