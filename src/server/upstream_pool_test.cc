#include "server/upstream_pool.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <utility>
#include <vector>

namespace hydraguard::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Whether `fd` becomes readable (data, EOF or hang-up) within 10 s: the
// kernel may deliver a loopback close a little after close() returns.
bool BecomesReadable(int fd) {
  pollfd entry{.fd = fd, .events = POLLIN | POLLRDHUP, .revents = 0};
  return ::poll(&entry, 1, 10'000) == 1;
}

// Loopback connections whose far ends the test holds (and may close).
class UpstreamPoolTest : public ::testing::Test {
 protected:
  UpstreamPoolTest() : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {}

  std::unique_ptr<UpstreamConnection> Connect() {
    auto connection = std::make_unique<UpstreamConnection>();
    connection->plain = std::make_unique<boost::beast::tcp_stream>(io_);
    connection->plain->socket().connect(acceptor_.local_endpoint());
    far_ends_.push_back(acceptor_.accept());
    return connection;
  }
  // Gives `pool` a new connection; its socket, to wait on once the pool has it.
  int GiveNew(UpstreamPool& pool) {
    std::unique_ptr<UpstreamConnection> connection = Connect();
    int fd = connection->socket().native_handle();
    pool.Give(std::move(connection));
    return fd;
  }
  UpstreamPool Pool(size_t max_idle = 4, int64_t idle_timeout_ms = 1000) {
    return UpstreamPool(
        {.max_idle = max_idle, .idle_timeout_ms = idle_timeout_ms, .now_ms = [this] { return now_ms_; }});
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<tcp::socket> far_ends_;
  int64_t now_ms_ = 5'000;
};

TEST_F(UpstreamPoolTest, EmptyPoolHasNothing) {
  UpstreamPool pool = Pool();
  EXPECT_EQ(pool.Take(), nullptr);
}

TEST_F(UpstreamPoolTest, GivesBackTheMostRecentlyUsedConnection) {
  UpstreamPool pool = Pool();
  std::unique_ptr<UpstreamConnection> first = Connect(), second = Connect();
  UpstreamConnection* second_ptr = second.get();
  pool.Give(std::move(first));
  pool.Give(std::move(second));
  EXPECT_EQ(pool.idle(), 2u);
  std::unique_ptr<UpstreamConnection> taken = pool.Take();
  EXPECT_EQ(taken.get(), second_ptr);
  EXPECT_EQ(pool.idle(), 1u);
  EXPECT_EQ(pool.discarded(), 0u);
}

TEST_F(UpstreamPoolTest, ConnectionTheUpstreamClosedIsNotReused) {
  UpstreamPool pool = Pool();
  int fd = GiveNew(pool);
  far_ends_.back().close();
  ASSERT_TRUE(BecomesReadable(fd));
  EXPECT_EQ(pool.Take(), nullptr);
  EXPECT_EQ(pool.discarded(), 1u);
}

TEST_F(UpstreamPoolTest, ConnectionWithStrayBytesIsNotReused) {
  UpstreamPool pool = Pool();
  int fd = GiveNew(pool);
  net::write(far_ends_.back(), net::buffer(std::string_view("HTTP/1.1 408 Request Timeout\r\n\r\n")));
  ASSERT_TRUE(BecomesReadable(fd));
  EXPECT_EQ(pool.Take(), nullptr);
}

TEST_F(UpstreamPoolTest, ConnectionIdleTooLongIsClosed) {
  UpstreamPool pool = Pool(/*max_idle=*/4, /*idle_timeout_ms=*/1000);
  pool.Give(Connect());
  now_ms_ += 1000;
  pool.Give(Connect());
  EXPECT_EQ(pool.idle(), 2u);  // both exactly within the timeout
  now_ms_ += 1;
  EXPECT_NE(pool.Take(), nullptr);  // the newer one
  EXPECT_EQ(pool.Take(), nullptr);  // the older one expired
  EXPECT_EQ(pool.discarded(), 1u);
  // Giving back prunes the expired ones at the front too.
  pool.Give(Connect());
  now_ms_ += 5000;
  pool.Give(Connect());
  EXPECT_EQ(pool.idle(), 1u);
}

TEST_F(UpstreamPoolTest, KeepsAtMostMaxIdle) {
  UpstreamPool pool = Pool(/*max_idle=*/2);
  for (int index = 0; index < 5; ++index) pool.Give(Connect());
  EXPECT_EQ(pool.idle(), 2u);
  // The oldest were closed: their far ends read EOF.
  ASSERT_TRUE(BecomesReadable(far_ends_[0].native_handle()));
  char byte;
  boost::system::error_code error;
  far_ends_[0].read_some(net::buffer(&byte, 1), error);
  EXPECT_EQ(error, net::error::eof);
}

TEST_F(UpstreamPoolTest, UpstreamsKeepAliveTimeoutShortensTheWait) {
  UpstreamPool pool = Pool(/*max_idle=*/4, /*idle_timeout_ms=*/1000);
  pool.Give(Connect(), /*idle_limit_ms=*/300);
  now_ms_ += 301;
  EXPECT_EQ(pool.Take(), nullptr);
  pool.Give(Connect(), /*idle_limit_ms=*/5000);  // never longer than idle_timeout_ms
  now_ms_ += 1001;
  EXPECT_EQ(pool.Take(), nullptr);
  pool.Give(Connect(), /*idle_limit_ms=*/0);  // the upstream keeps it no time at all
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_TRUE(pool.keeps_connections());
  EXPECT_FALSE(Pool(/*max_idle=*/0).keeps_connections());
}

TEST_F(UpstreamPoolTest, MaxIdleZeroKeepsNothing) {
  UpstreamPool pool = Pool(/*max_idle=*/0);
  pool.Give(Connect());
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.Take(), nullptr);
}

}  // namespace
}  // namespace hydraguard::server
