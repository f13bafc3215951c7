// Which headers a reverse proxy forwards: the request the upstream gets and
// the response header the client gets. Private to src/server (upstream.cc).
//
//   http::request<http::string_body> upstream =
//       MakeUpstreamRequest(std::move(client_request), "api.anthropic.com", "", {{"x-suspect", "1"}});
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_SERVER_INTERNAL_PROXY_HEADERS_H_
#define HYDRAGUARD_SERVER_INTERNAL_PROXY_HEADERS_H_

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hydraguard::server::internal {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Connection, Keep-Alive, Proxy-* (any), TE, Trailer, Transfer-Encoding,
// Upgrade; case-insensitive.
bool IsHopByHop(std::string_view name);

// Whether a Content-Type names an event stream ("text/event-stream; charset=utf-8").
bool IsEventStream(std::string_view content_type);

// The request to send upstream: same method, `base_path` + target, body;
// HTTP/1.1, kept alive (no Connection header) unless `keep_alive` is false
// (Connection: close). Drops hop-by-hop headers, the headers the
// client's Connection header names, Host (set to `host_header`),
// Content-Length (recomputed), Expect (the body is already read) and
// Accept-Encoding (the response must arrive uncompressed to be filtered).
// `extra` headers replace any of the same name the client sent.
boost::beast::http::request<boost::beast::http::string_body> MakeUpstreamRequest(
    boost::beast::http::request<boost::beast::http::string_body>&& request, std::string_view host_header,
    std::string_view base_path, const HeaderList& extra, bool keep_alive = true);

// Copies the end-to-end headers of an upstream response (all but hop-by-hop,
// those named by its Connection header, and Content-Length) to `to`; then
// `extra`, each replacing any upstream header of the same name.
void CopyResponseHeaders(const boost::beast::http::fields& from, const HeaderList& extra,
                         boost::beast::http::fields* to);

}  // namespace hydraguard::server::internal

#endif  // HYDRAGUARD_SERVER_INTERNAL_PROXY_HEADERS_H_
