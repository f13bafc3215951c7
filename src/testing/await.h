// Test-only: runs one awaitable to its end from plain code, on a loop of the
// caller's (the loop an AsyncLimiter is bound to) or a private one.
//
//   gateway::Decision decision = testing::AwaitNow(gateway::Admit(store, policy, context, verdicts));
//
// Exceptions thrown by the coroutine are rethrown here.
#ifndef HYDRAGUARD_TESTING_AWAIT_H_
#define HYDRAGUARD_TESTING_AWAIT_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>  // before Boost (asio/awaitable.hpp needs std::exchange)

namespace hydraguard::testing {

// Runs `io` until `call` has completed. REQUIRES: `io` is not run by another
// thread meanwhile.
template <typename T>
T AwaitNow(boost::asio::io_context& io, boost::asio::awaitable<T> call) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::co_spawn(io, std::move(call), [&](std::exception_ptr thrown, T value) {
    error = thrown;
    result = std::move(value);
    done = true;
  });
  io.restart();
  while (!done && io.run_one() > 0) {
  }
  if (error) std::rethrow_exception(error);
  return *std::move(result);
}

template <typename T>
T AwaitNow(boost::asio::awaitable<T> call) {
  boost::asio::io_context io{1};
  return AwaitNow(io, std::move(call));
}

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_AWAIT_H_
