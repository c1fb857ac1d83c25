-- recommendations.lua - GET /api/recommendations as the generated shoppers.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local shoppers = require("shoppers")
local cookies, position

setup = shoppers.setup

function init(args)
  cookies = shoppers.load()
  position = 0
end

function request()
  position = position % #cookies + 1
  return wrk.format("GET", "/api/recommendations", {["Cookie"] = cookies[position]})
end
