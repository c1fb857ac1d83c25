-- paths.lua - GET one of the paths in the file BENCH_PATHS (paths.py), at random, each with a query
-- parameter no one sent before, so nginx's micro-cache (keyed on the whole URI) never answers and every
-- request reaches the products responder.
local paths, counter

function init(args)
  paths = {}
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = 0
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  local sep = string.find(path, "?", 1, true) and "&" or "?"
  return wrk.format("GET", path .. sep .. "nocache=" .. math.random(1e9) .. "-" .. counter)
end
