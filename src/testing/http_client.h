// A small synchronous HTTP/1.1 client for tests: one keep-alive connection
// to 127.0.0.1:port, requests sent one after another.
//
//   HttpClient client(port);
//   absl::StatusOr<HttpReply> reply = client.Post("/v1/messages", body, {{"x-api-key", "k1"}});
//   EXPECT_EQ(reply->status, 200);
//   EXPECT_EQ(reply->Header("retry-after"), "5");
//
// Thread-safety: one client per thread.
#ifndef HYDRAGUARD_TESTING_HTTP_CLIENT_H_
#define HYDRAGUARD_TESTING_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace hydraguard::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  HeaderList headers;
  std::string body;
  bool keep_alive = false;
  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, int timeout_ms = 10'000);
  ~HttpClient();

  // Connects on first use and again after the server closed the connection.
  absl::StatusOr<HttpReply> Send(std::string_view method, std::string_view target, std::string_view body = {},
                                 const HeaderList& headers = {});
  absl::StatusOr<HttpReply> Get(std::string_view target, const HeaderList& headers = {}) {
    return Send("GET", target, {}, headers);
  }
  absl::StatusOr<HttpReply> Post(std::string_view target, std::string_view body, const HeaderList& headers = {}) {
    return Send("POST", target, body, headers);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a server on 127.0.0.1:port answers to `bytes` written as they are on
// a new connection (hostile framing, duplicate headers): everything it sends
// until it closes the connection or `timeout_ms` passes. `closed` says which.
struct RawReply {
  std::string bytes;
  bool closed = false;
  // The status codes of the responses in `bytes`, in order.
  std::vector<int> Statuses() const;
  // Header `name` (case-insensitive) of the first response, or "".
  std::string Header(std::string_view name) const;
};
absl::StatusOr<RawReply> SendRaw(uint16_t port, std::string_view bytes, int timeout_ms = 3'000);

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_HTTP_CLIENT_H_
