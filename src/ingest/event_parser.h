// EventParser turns one JSONL line into an Event (schema v1), with simdjson's
// DOM parser (every value validated), or says exactly what is wrong with it.
//
//   Interners interners;
//   EventParser parser(&interners);
//   Event event;
//   ParseError error;
//   if (!parser.Parse(line, &event, &error)) Report(error.field, error.reason);
//
// Rules (see docs/ingest.md): ts, account and ip are required; other fields
// are optional, and null or "" counts as absent; unknown fields are ignored;
// a known field with the wrong type or an invalid value rejects the line.
// Strings are interned only when the whole line is valid, so a bad line leaves
// no trace in the interners.
//
// Lifetime: event->prompt and event->system point into the parser's buffers
// and stay valid until the next Parse() call. The parser keeps a pointer to
// `interners`, which must outlive it. Thread-safety: one thread at a time.
#ifndef HYDRAGUARD_INGEST_EVENT_PARSER_H_
#define HYDRAGUARD_INGEST_EVENT_PARSER_H_

#include <memory>
#include <string_view>

#include "ingest/event.h"
#include "ingest/interner.h"
#include "ingest/parse_error.h"

namespace hydraguard::ingest {

class EventParser {
 public:
  // `not_interned`: bits (1 << Field) of identifier fields to validate but not
  // intern (their ids stay kNoId, their `present` bits are set), for callers
  // that never look at them (detection ignores conversation and key ids,
  // which are nearly unique and cost a cache miss each). The account is
  // always interned.
  explicit EventParser(Interners* interners, uint32_t not_interned = 0);
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // REQUIRES: at least 64 readable bytes after line.data() + line.size()
  // (io::kLinePadding; LineReader guarantees this).
  // Returns true and fills *event, or false and fills *error.
  bool Parse(std::string_view line, Event* event, ParseError* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_EVENT_PARSER_H_
