#include "server/internal/proxy_headers.h"

#include <boost/beast/core/string.hpp>
#include <utility>

namespace hydraguard::server::internal {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

beast::string_view Beast(std::string_view text) { return {text.data(), text.size()}; }

bool IEquals(std::string_view a, std::string_view b) { return beast::iequals(Beast(a), Beast(b)); }

// The header names listed in a Connection header ("close, X-Foo").
std::vector<std::string_view> ConnectionTokens(const http::fields& fields) {
  std::vector<std::string_view> tokens;
  for (auto it = fields.find(http::field::connection); it != fields.end() && it->name() == http::field::connection;
       ++it) {
    std::string_view value = View(it->value());
    while (!value.empty()) {
      size_t comma = value.find(',');
      std::string_view token = Trim(value.substr(0, comma));
      if (!token.empty()) tokens.push_back(token);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return tokens;
}

bool Listed(const std::vector<std::string_view>& tokens, std::string_view name) {
  for (std::string_view token : tokens) {
    if (IEquals(token, name)) return true;
  }
  return false;
}

}  // namespace

bool IsHopByHop(std::string_view name) {
  if (name.size() >= 6 && IEquals(name.substr(0, 6), "proxy-")) return true;
  for (std::string_view hop : {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}) {
    if (IEquals(name, hop)) return true;
  }
  return false;
}

bool IsEventStream(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  return IEquals(media, "text/event-stream");
}

http::request<http::string_body> MakeUpstreamRequest(http::request<http::string_body>&& request,
                                                     std::string_view host_header, std::string_view base_path,
                                                     const HeaderList& extra, bool keep_alive) {
  http::request<http::string_body> out;
  out.method(request.method());
  if (request.method() == http::verb::unknown) out.method_string(request.method_string());
  std::string target(base_path);
  target.append(View(request.target()));
  out.target(target);
  out.version(11);
  std::vector<std::string_view> tokens = ConnectionTokens(request);
  for (const auto& field : request) {
    std::string_view name = View(field.name_string());
    if (IsHopByHop(name) || Listed(tokens, name) || IEquals(name, "host") || IEquals(name, "content-length") ||
        IEquals(name, "expect") || IEquals(name, "accept-encoding")) {
      continue;
    }
    out.insert(field.name_string(), field.value());
  }
  out.set(http::field::host, Beast(host_header));
  for (const auto& [name, value] : extra) out.set(name, value);
  out.keep_alive(keep_alive);
  out.body() = std::move(request.body());
  out.prepare_payload();
  return out;
}

void CopyResponseHeaders(const http::fields& from, const HeaderList& extra, http::fields* to) {
  std::vector<std::string_view> tokens = ConnectionTokens(from);
  for (const auto& field : from) {
    std::string_view name = View(field.name_string());
    if (IsHopByHop(name) || Listed(tokens, name) || IEquals(name, "content-length")) continue;
    to->insert(field.name_string(), field.value());
  }
  for (const auto& [name, value] : extra) to->set(name, value);
}

}  // namespace hydraguard::server::internal
