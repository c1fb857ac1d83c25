-- products_uncached.lua - GET /api/products/{id} with a query no one asked before, so nginx's
-- micro-cache never answers and every request reaches the products responder.
local ids, counter

function init(args)
  ids = {}
  for id in string.gmatch(os.getenv("BENCH_PRODUCTS"), "[^,]+") do ids[#ids + 1] = id end
  counter = 0
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/products/" .. ids[math.random(#ids)] .. "?nocache=" .. math.random(1e9) .. "-" .. counter)
end
