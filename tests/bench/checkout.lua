-- checkout.lua - POST /api/orders, each request as the next prepared shopper.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local shoppers = require("shoppers")
local cookies, position

setup = shoppers.setup

function init(args)
  cookies = shoppers.load()
  position = 0
end

local body = '{"shipping":{"name":"Bench Shopper","email":"bench@example.com","address":"1 Load Street",' ..
             '"city":"Testville","postalCode":"12345","country":"DE"}}'

function request()
  position = position % #cookies + 1
  return wrk.format("POST", "/api/orders",
                    {["Content-Type"] = "application/json", ["Cookie"] = cookies[position]}, body)
end
