-- shopper.lua - the scenario's request (wrk's URL path, BENCH_METHOD, BENCH_BODY),
-- each time as the next prepared shopper of this thread.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local shoppers = require("shoppers")
local cookies, position, method, body, headers

setup = shoppers.setup

function init(args)
  cookies = shoppers.load()
  position = 0
  method = os.getenv("BENCH_METHOD") or "GET"
  body = os.getenv("BENCH_BODY")
  headers = {}
  if body ~= nil and body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
end

function request()
  position = position % #cookies + 1
  headers["Cookie"] = cookies[position]
  return wrk.format(method, wrk.path, headers, body)
end
