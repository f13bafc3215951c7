// What the gateway does to an upstream LLM response on its way to the client:
// reads the token usage (for quotas and metrics) and, when asked, strips the
// model's reasoning ("thinking") so that a suspected distiller never sees it.
// Two forms: SseFilter for streamed (text/event-stream) responses, fed bytes
// as they arrive, and FilterJsonResponse for whole JSON bodies.
//
//   SseFilter filter(ApiKind::kAnthropic, /*strip_thinking=*/true);
//   std::string out;
//   filter.Feed(bytes_from_upstream, &out);  // any split, even mid-line
//   Send(out); out.clear();
//   filter.Finish(&out);                      // at end of stream
//   int64_t tokens = filter.usage().output_tokens;
//
// What is stripped:
//   Anthropic  the content_block_start/_delta/_stop events (streamed) or the
//              content[] entries (whole body) of "thinking" and
//              "redacted_thinking" blocks; later blocks are renumbered so the
//              client sees indices 0, 1, 2... without gaps.
//   OpenAI     "reasoning_content" and "reasoning" in choices[].delta
//              (streamed) or choices[].message (whole body); a chunk whose
//              only payload was reasoning is dropped; `data: [DONE]` is kept.
// Usage comes from the events whose data "type" is message_start /
// message_delta (Anthropic; without stripping, events whose "event:" name is
// another are not parsed at all) or from chunks with a "usage" object (OpenAI
// Chat Completions, Embeddings; Responses: input/output_tokens, streamed in
// the "response" of response.completed). Thinking is stripped from Messages
// and Chat Completions only (Responses returns reasoning summaries alone).
// Events and bodies that need no change are passed through byte-identical;
// changed ones keep every byte outside the edited JSON values. Input that is
// not what the API sends (malformed JSON, unknown events) passes unchanged:
// the filter never fails and never crashes.
//
// Thread-safety: SseFilter is a single-stream state machine (one thread at a
// time); FilterJsonResponse is a pure function.
#ifndef HYDRAGUARD_GATEWAY_RESPONSE_FILTER_H_
#define HYDRAGUARD_GATEWAY_RESPONSE_FILTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api.h"

namespace hydraguard::gateway {

// Tokens the upstream reported (Anthropic input/output_tokens, OpenAI
// prompt/completion_tokens). `known` once any usage was seen.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  bool known = false;
};

class SseFilter {
 public:
  // `hide_usage_chunk` (OpenAI): the final chunk that carries only the usage
  // (an empty "choices" array) is read but not passed on, for a client that
  // did not ask for it (see WithStreamUsage in request.h).
  SseFilter(ApiKind api, bool strip_thinking, bool hide_usage_chunk = false);

  // Consumes the next bytes of the upstream stream, split anywhere, and
  // appends to *out what the client is to receive: every event that completed
  // in these bytes (an event completes at its blank line), filtered. Bytes of
  // an incomplete event are kept until it completes. A line ended by a bare
  // '\r' at the very end of `chunk` waits for the next byte (it may be "\r\n").
  void Feed(std::string_view chunk, std::string* out);
  // End of stream: appends the filtered remainder (an event cut short by the
  // end of the stream is handled as if complete). Feed must not follow.
  void Finish(std::string* out);

  const Usage& usage() const { return usage_; }
  // Events dropped, and bytes removed (dropped events plus fields cut from
  // kept ones).
  int64_t stripped_events() const { return stripped_events_; }
  int64_t stripped_bytes() const { return stripped_bytes_; }
  // Anthropic: thinking blocks removed. OpenAI: chunks from which reasoning
  // was removed.
  int stripped_blocks() const { return stripped_blocks_; }

 private:
  struct Line {
    size_t begin;  // offsets in pending_
    size_t end;    // end of the content, before the terminator
    size_t next;   // past the terminator
  };
  enum class Action { kKeep, kDrop, kRewrite, kHide };  // kHide: dropped, not counted as stripped

  // Scans pending_ from scan_ for completed lines and events.
  void Scan(bool at_end, std::string* out);
  // Handles the event pending_[event_begin_, end), whose lines are lines_.
  void Dispatch(size_t end, std::string* out);
  // Decide from the event's data (and name: the "event:" field, if any);
  // kRewrite leaves the new data in rewritten_.
  Action Anthropic(std::string_view event_name, std::string_view data);
  Action OpenAi(std::string_view data);
  int ClientIndex(int64_t upstream_index) const;

  ApiKind api_;
  bool strip_;
  bool hide_usage_chunk_;
  std::string pending_;     // bytes of the event being received
  size_t event_begin_ = 0;  // where that event starts in pending_
  size_t line_begin_ = 0;   // where the current line starts
  size_t scan_ = 0;         // where to look for the next terminator
  std::vector<Line> lines_;
  std::string joined_;     // data of a multi-line event
  std::string rewritten_;  // new data of an event being rewritten
  // Anthropic: per upstream block index, the client's index (-1: stripped).
  std::vector<int> client_index_;
  int next_client_index_ = 0;
  Usage usage_;
  int64_t stripped_events_ = 0;
  int64_t stripped_bytes_ = 0;
  int stripped_blocks_ = 0;
};

struct FilteredBody {
  std::string body;
  Usage usage;
  int stripped_blocks = 0;  // Anthropic: content entries; OpenAI: messages whose reasoning was cut
};

// Filters a whole (non-streamed) JSON response body. A body that is not a
// JSON object passes unchanged with usage unknown.
FilteredBody FilterJsonResponse(ApiKind api, std::string_view body, bool strip_thinking);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_RESPONSE_FILTER_H_
