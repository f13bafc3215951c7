// Reads one HTTP/1.1 request from a client connection, with the framing
// rules of RFC 9112 that a proxy must enforce so that it and the upstream
// agree on where each request ends (request smuggling):
//   - Transfer-Encoding whose final coding is not chunked: 400, and close;
//   - a coding other than chunked (gzip, identity, unknown): 501, and close;
//   - Content-Length together with Transfer-Encoding: 400, and close;
//   - obs-fold (a header line continued on the next): 400, and close;
//   - a request line over `max_uri_bytes`: 414; a header section over
//     `max_header_bytes`: 431; a body over `max_body_bytes`: 413;
//   - no whole request within `timeout_ms`: 408 (when part of one arrived;
//     an idle kept-alive connection is just closed), and close.
// Trailer fields of a chunked body are dropped: they are never merged into
// the request's headers (a credential in a trailer must not reach the
// upstream unjudged).
//
//   ReadResult result = co_await ReadRequest(stream, buffer, limits);
//   if (result.kind == ReadResult::kRequest) ... result.request ...
//   else if (result.kind == ReadResult::kRefused) ... answer result.status, then close ...
//
// Every refusal closes the connection: after a framing error nothing that
// follows on it can be trusted to be a request.
//
// Thread-safety: one call at a time per connection (as any read).
#ifndef HYDRAGUARD_SERVER_REQUEST_READER_H_
#define HYDRAGUARD_SERVER_REQUEST_READER_H_

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

namespace hydraguard::server {

struct ReadLimits {
  int64_t max_uri_bytes = 8 * 1024;
  int64_t max_header_bytes = 64 * 1024;
  int64_t max_body_bytes = 32 * 1024 * 1024;
  int64_t timeout_ms = 30'000;
};

struct ReadResult {
  enum Kind {
    kRequest,  // `request` holds a whole request
    kClosed,   // the client left (or idled out) before sending a request: nothing to answer or count
    kRefused,  // answer `status` with `message`, then close
  };
  Kind kind = kClosed;
  boost::beast::http::request<boost::beast::http::string_body> request;
  int status = 0;
  std::string code;     // machine-readable, e.g. "bad_transfer_encoding"
  std::string message;  // for the client
  std::string target;   // the request target when known (to shape the error for its API)
  int dropped_trailers = 0;
};

boost::asio::awaitable<ReadResult> ReadRequest(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                               const ReadLimits& limits);

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_REQUEST_READER_H_
