-- post.lua - wrk script: POST one new synthetic person per request, each a
-- different (generated, clearly synthetic) person, as a registration desk
-- would: the same body every time would make every record a duplicate
-- candidate of all the others and measure the review queue instead.
-- usage: wrk ... -s post.lua URL -- TOKEN
-- The URL's path is the collection, e.g. /api/v1/persons.

local token
local counter = 0
local letters = {"a","b","d","g","h","k","l","m","n","r","s","t","v","z"}
local vowels = {"a","e","i","o","u"}

local function word(n)
  local s = ""
  for i = 1, 3 do
    s = s .. letters[(n % #letters) + 1] .. vowels[(math.floor(n / #letters) % #vowels) + 1]
    n = math.floor(n / (#letters * #vowels))
  end
  return s
end

function init(args)
  token = args[1]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  counter = math.random(0, 1000000)
end

function request()
  counter = counter + 7919
  local body = string.format(
    '{"given_name":"%s","family_name":"%syan","sex":"%s","birth_date":"%d-%02d-%02d","source":"BENCH (synthetic)"}',
    word(counter):gsub("^%l", string.upper), word(counter * 31 + 17):gsub("^%l", string.upper),
    counter % 2 == 0 and "male" or "female", 1930 + counter % 90, 1 + counter % 12, 1 + counter % 28)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
