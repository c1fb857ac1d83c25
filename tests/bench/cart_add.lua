-- cart_add.lua - POST /api/cart: many shoppers each adding one of many products.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local shoppers = require("shoppers")
local cookies, position, products

setup = shoppers.setup

function init(args)
  cookies = shoppers.load()
  position = 0
  products = {}
  for id in string.gmatch(os.getenv("BENCH_PRODUCTS"), "[^,]+") do products[#products + 1] = id end
end

function request()
  position = position % #cookies + 1
  local product = products[(position + math.floor(position / #cookies)) % #products + 1]
  return wrk.format("POST", "/api/cart",
                    {["Content-Type"] = "application/json", ["Cookie"] = cookies[position]},
                    '{"productId":"' .. product .. '","quantity":1}')
end
