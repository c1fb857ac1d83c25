-- shoppers.lua - what the wrk scripts share: each thread its own slice of shoppers.
--
-- BENCH_COOKIES names a file of "sid=…" lines (tests/bench/prepare.py writes it);
-- thread k of BENCH_THREADS takes lines k, k+n, k+2n, … so no two connections
-- act as the same shopper at once.
local shoppers = {}

local next_thread = 0
function shoppers.setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

function shoppers.load()
  local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
  local mine, line_number = {}, 0
  for line in io.lines(os.getenv("BENCH_COOKIES")) do
    if line_number % threads == thread_index then
      mine[#mine + 1] = line
    end
    line_number = line_number + 1
  end
  return mine
end

return shoppers
