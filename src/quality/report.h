// QUALITY.md from a quality grid (grid.h): recall for every value of every
// strategy axis, per campaign, false-positive rate per honest segment,
// leakage and time to containment in replay, and the volume baseline at the
// engine's false-positive level, with and without text.
//
//   std::string markdown = QualityMarkdown(*grid, /*eval_seeds=*/true, context);
#ifndef HYDRAGUARD_QUALITY_REPORT_H_
#define HYDRAGUARD_QUALITY_REPORT_H_

#include <string>

#include "quality/grid.h"

namespace hydraguard::quality {

struct ReportContext {
  std::string command;  // how to reproduce the file
  std::string machine;  // e.g. "2 cores AMD EPYC"
  std::string date;     // e.g. "2026-12-07"
  double seconds = 0;   // wall time of the grid
};

// The runs of one side of the grid: eval seeds (QUALITY.md) or tune seeds
// (for choosing defaults; never published as the quality figure).
std::string QualityMarkdown(const GridResult& grid, bool eval_seeds, const ReportContext& context);

}  // namespace hydraguard::quality

#endif  // HYDRAGUARD_QUALITY_REPORT_H_
