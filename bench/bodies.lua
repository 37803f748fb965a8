-- wrk script: POSTs the request bodies of a file in turn, each connection starting at its own offset.
-- The file holds the bodies separated by NUL bytes (bench/run.sh writes it with `loadtest rasa`).
--   BODIES=path/to/bodies.bin wrk -t1 -c32 -d10s -s bench/bodies.lua http://127.0.0.1:PORT/v1/chat/completions
local requests = {}
local next_index = 1

local function load(path)
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  local bodies, position = {}, 1
  while position <= #data do
    local stop = string.find(data, "\0", position, true)
    bodies[#bodies + 1] = string.sub(data, position, (stop or #data + 1) - 1)
    if not stop then break end
    position = stop + 1
  end
  return bodies
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  local path = os.getenv("BODIES") or error("set BODIES to a file of NUL-separated request bodies")
  for i, body in ipairs(load(path)) do
    requests[i] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
  end
  next_index = ((thread_id or 1) * 7919) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
