namespace Switchboard.Limits;

/// <summary>
/// The Lua scripts behind <see cref="RedisLimitStore"/>. Each runs atomically in Redis, so every replica sees
/// one sequence of admissions. The clock is the caller's (<c>ARGV[1]</c>, Unix ms), not Redis's: tests can
/// drive it, and a stamp that never moves backwards keeps a replica whose clock lags from creating capacity.
/// The arithmetic is the same as <see cref="TokenBucketMeter"/> and <see cref="SlidingWindowMeter"/>.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: the n meters, then the b budget counters. ARGV: now, window, sliding (1/0), n, b, a (alternatives),
    /// then capacity, amount and group per meter (0: must pass; 1..a: the meter belongs to that alternative, of
    /// which the first whose meters all pass is taken), then the limit per budget counter (-1: tracked, not
    /// limited). Returns {status, retry ms or budget index, refusing meter, chosen alternative (0: none), the
    /// alternative that frees up soonest when none has room, then remaining
    /// and reset ms per meter}; status 1 admitted, 0 over a rate limit, -1 a budget counter is missing (seed and
    /// ask again), -2 over budget.
    /// </summary>
    public const string Admit = """
        local function ceil(x) return math.ceil(x - 1e-6) end
        local function floor(x) return math.floor(x + 1e-6) end
        local now = tonumber(ARGV[1])
        local win = tonumber(ARGV[2])
        local sliding = ARGV[3] == '1'
        local n = tonumber(ARGV[4])
        local b = tonumber(ARGV[5])
        local a = tonumber(ARGV[6])
        for j = 1, b do
          local spent = redis.call('GET', KEYS[n + j])
          if not spent then return {-1, j, 0, 0, 0} end
          local limit = tonumber(ARGV[6 + 3 * n + j])
          if limit >= 0 and tonumber(spent) >= limit then return {-2, j, 0, 0, 0} end
        end
        local state, waits, groups, gwait = {}, {}, {}, {}
        for g = 1, a do gwait[g] = 0 end
        local mwait, mby = 0, 0
        for i = 1, n do
          local cap = tonumber(ARGV[4 + 3 * i])
          local amt = tonumber(ARGV[5 + 3 * i])
          local g = tonumber(ARGV[6 + 3 * i])
          local wait = 0
          if sliding then
            local h = redis.call('HMGET', KEYS[i], 's', 'c', 'p')
            local ws = now - (now % win)
            local s, c, p = tonumber(h[1]), tonumber(h[2]) or 0, tonumber(h[3]) or 0
            if s == nil then
              s, c, p = ws, 0, 0
            elseif ws > s then
              if ws - s == win then p = c else p = 0 end
              c, s = 0, ws
            end
            local el = math.min(math.max(now - s, 0), win)
            local used = p * (1 - el / win) + c
            if used + amt > cap + 1e-6 then
              if c + amt <= cap and p > 0 then
                wait = math.max(1, ceil((1 - (cap - c - amt) / p) * win - el))
              else
                local f = 0
                if c > 0 then f = math.max(0, 1 - (cap - amt) / c) end
                wait = math.max(1, (win - el) + ceil(f * win))
              end
            end
            state[i] = {s, c, p, el, used}
          else
            local h = redis.call('HMGET', KEYS[i], 'l', 't')
            local l, t = tonumber(h[1]), tonumber(h[2])
            if l == nil then l, t = cap, now end
            if now > t then l, t = l + (now - t) * cap / win, now end
            if l > cap then l = cap end
            if l + 1e-6 < amt then wait = ceil((amt - l) * win / cap) end
            state[i] = {l, t}
          end
          waits[i], groups[i] = wait, g
          if g == 0 then
            if wait > 0 and wait >= mwait then mwait, mby = wait, i end
          elseif wait > gwait[g] then
            gwait[g] = wait
          end
        end
        local chosen, soonest = 0, 0
        for g = 1, a do
          if gwait[g] == 0 then chosen = g break end
          if soonest == 0 or gwait[g] < gwait[soonest] then soonest = g end
        end
        local ok = mby == 0 and (a == 0 or chosen > 0)
        local retry = mwait
        if not ok and chosen == 0 and soonest > 0 and gwait[soonest] > retry then retry = gwait[soonest] end
        local by = 0
        if not ok then
          if mby > 0 and mwait >= retry then
            by = mby
          else
            for i = 1, n do
              if groups[i] == soonest and (by == 0 or waits[i] > waits[by]) then by = i end
            end
          end
        end
        local out = {ok and 1 or 0, retry, by, chosen, soonest}
        for i = 1, n do
          local cap = tonumber(ARGV[4 + 3 * i])
          local amt = tonumber(ARGV[5 + 3 * i])
          local take = ok and (groups[i] == 0 or groups[i] == chosen)
          local st = state[i]
          local rem, reset
          if sliding then
            local s, c, p, el, used = st[1], st[2], st[3], st[4], st[5]
            if take then
              c, used = c + amt, used + amt
              redis.call('HSET', KEYS[i], 's', s, 'c', c, 'p', p)
              redis.call('PEXPIRE', KEYS[i], 2 * win)
            end
            rem = floor(cap - used)
            if c > 0 then reset = (win - el) + win elseif p > 0 then reset = win - el else reset = 0 end
          else
            local l, t = st[1], st[2]
            if take then
              l = l - amt
              redis.call('HSET', KEYS[i], 'l', l, 't', t)
              redis.call('PEXPIRE', KEYS[i], ceil((cap - l) * win / cap) + 1000)
            end
            rem = floor(l)
            reset = ceil((cap - l) * win / cap)
          end
          if rem < 0 then rem = 0 end
          out[#out + 1] = rem
          out[#out + 1] = reset
        end
        return out
        """;

    /// <summary>
    /// KEYS: the n token meters to correct, then the b budget counters. ARGV: now, window, sliding (1/0), n, b,
    /// admitted-at, then capacity and delta (tokens used minus tokens taken) per meter, then the cost in
    /// nano-dollars. A budget counter that is gone (flushed, expired) is left for the next seeding to recreate.
    /// </summary>
    public const string Settle = """
        local function ceil(x) return math.ceil(x - 1e-6) end
        local now = tonumber(ARGV[1])
        local win = tonumber(ARGV[2])
        local sliding = ARGV[3] == '1'
        local n = tonumber(ARGV[4])
        local b = tonumber(ARGV[5])
        local at = tonumber(ARGV[6])
        for i = 1, n do
          local cap = tonumber(ARGV[5 + 2 * i])
          local d = tonumber(ARGV[6 + 2 * i])
          if sliding then
            local h = redis.call('HMGET', KEYS[i], 's', 'c', 'p')
            local s = tonumber(h[1])
            if s then
              local c, p = tonumber(h[2]) or 0, tonumber(h[3]) or 0
              local ws = now - (now % win)
              if ws > s then
                if ws - s == win then p = c else p = 0 end
                c, s = 0, ws
              end
              local aw = at - (at % win)
              if aw == s then c = math.max(0, c + d) elseif aw == s - win then p = math.max(0, p + d) end
              redis.call('HSET', KEYS[i], 's', s, 'c', c, 'p', p)
              redis.call('PEXPIRE', KEYS[i], 2 * win)
            end
          else
            local h = redis.call('HMGET', KEYS[i], 'l', 't')
            local l, t = tonumber(h[1]), tonumber(h[2])
            if l == nil then l, t = cap, now end
            if now > t then l, t = l + (now - t) * cap / win, now end
            l = math.min(cap, l - d)
            redis.call('HSET', KEYS[i], 'l', l, 't', t)
            redis.call('PEXPIRE', KEYS[i], ceil((cap - l) * win / cap) + 1000)
          end
        end
        local cost = tonumber(ARGV[7 + 2 * n])
        if cost > 0 then
          for j = 1, b do
            if redis.call('EXISTS', KEYS[n + j]) == 1 then redis.call('INCRBY', KEYS[n + j], cost) end
          end
        end
        return 1
        """;
}
