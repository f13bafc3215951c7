// FeedEngine: reads every event of an EventReader into an Engine on two
// threads: the calling thread reads, decompresses, parses and interns; a
// second thread updates the engine (features, text classification, template
// sketches, link keys). Events reach the engine in file order, in batches,
// exactly as a single-threaded loop would give them.
//
//   EventReader reader(paths, options, &interners, &bad_input);
//   absl::Status status = FeedEngine(reader, *engine);
//
// Returns the reader's error (strict mode only). The engine must have been
// created with the reader's interners; neither may be used by anyone else
// until FeedEngine returns.
#ifndef HYDRAGUARD_ENGINE_PIPELINE_H_
#define HYDRAGUARD_ENGINE_PIPELINE_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "engine/engine.h"
#include "ingest/event_reader.h"

namespace hydraguard::engine {

absl::Status FeedEngine(ingest::EventReader& reader, Engine& engine);

// The same, calling `consume` (on the second thread) for every event instead.
absl::Status FeedEvents(ingest::EventReader& reader, absl::FunctionRef<void(const ingest::Event&)> consume);

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_PIPELINE_H_
