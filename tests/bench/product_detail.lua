-- product_detail.lua - GET /api/products/{id} for random catalog ids.
local ids

function init(args)
  ids = {}
  for id in string.gmatch(os.getenv("BENCH_PRODUCTS"), "[^,]+") do ids[#ids + 1] = id end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  return wrk.format("GET", "/api/products/" .. ids[math.random(#ids)])
end
