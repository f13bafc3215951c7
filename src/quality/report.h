// QUALITY.md from a quality grid (grid.h): recall for every value of every
// strategy axis, per campaign, false-positive rate per honest segment,
// leakage and time to containment in replay, and the volume baseline at the
// engine's false-positive level, with and without text.
//
//   std::string markdown = QualityMarkdown(*grid, /*eval_seeds=*/true, context);
#ifndef HYDRAGUARD_QUALITY_REPORT_H_
#define HYDRAGUARD_QUALITY_REPORT_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "eval/evaluation.h"
#include "quality/grid.h"

namespace hydraguard::quality {

struct ReportContext {
  std::string command;  // how to reproduce the file
  std::string machine;  // e.g. "2 cores AMD EPYC"
  std::string date;     // e.g. "2026-12-07"
  double seconds = 0;   // wall time of the grid
};

// Every rate a report shows, by name ("recall/text", "axis/cards=none/no_text",
// "segment/hackathon/text", ...): what a later report compares with.
using Figures = std::map<std::string, eval::Rate>;

// The runs of one side of the grid: eval seeds (QUALITY.md) or tune seeds
// (for choosing defaults; never published as the quality figure). With
// `before` (a previous report's figures), the main rates show the earlier
// value beside them. The rates shown are stored in `figures` if given.
std::string QualityMarkdown(const GridResult& grid, bool eval_seeds, const ReportContext& context,
                            const Figures* before = nullptr, Figures* figures = nullptr);

// Figures as JSON ({"figures":{"NAME":{"hits":H,"total":T},...}}) and back.
std::string FiguresJson(const Figures& figures);
absl::StatusOr<Figures> ReadFiguresJson(const std::string& path);

}  // namespace hydraguard::quality

#endif  // HYDRAGUARD_QUALITY_REPORT_H_
