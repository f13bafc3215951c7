// ReadFile: a whole file's bytes, as they are (no decompression: for config,
// key and model files; event logs go through OpenByteSource, which streams
// and decompresses).
//
//   absl::StatusOr<std::string> text = io::ReadFile("hydraguard.yaml");
//
// Thread-safety: reentrant.
#ifndef HYDRAGUARD_IO_READ_FILE_H_
#define HYDRAGUARD_IO_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace hydraguard::io {

// NotFound ("PATH: cannot open: REASON") when the file cannot be opened,
// DataLoss ("PATH: read error") when reading it fails.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace hydraguard::io

#endif  // HYDRAGUARD_IO_READ_FILE_H_
