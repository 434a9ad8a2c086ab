-- get.lua - wrk script: GET PREFIX/ID for a random id of a list.
-- usage: wrk ... -s get.lua URL -- IDS_FILE PREFIX [TOKEN]
-- IDS_FILE holds one id a line; PREFIX is e.g. /api/v1/persons/; with TOKEN
-- each request carries Authorization: Bearer TOKEN. Every thread loads the
-- list and draws its own random sequence.

local ids = {}
local prefix = "/"
local headers = {}

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open " .. tostring(args[1]))
  for line in file:lines() do
    if #line > 0 then ids[#ids + 1] = line end
  end
  file:close()
  assert(#ids > 0, "no ids in " .. args[1])
  prefix = args[2] or prefix
  if args[3] and #args[3] > 0 then headers["Authorization"] = "Bearer " .. args[3] end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)], headers)
end
