// The replay report: the same figures as `hydraguard replay` prints, as JSON
// (report.json) and as one self-contained HTML page (report.html) with a
// chart per campaign of its served and refused requests over time and a
// chart of the honest requests refused. The page loads nothing from the
// network: styles and charts (inline SVG) are in the file.
//
//   std::string json = ReplayReportJson(result);
//   std::string html = ReplayReportHtml(result);
#ifndef HYDRAGUARD_REPLAY_REPORT_H_
#define HYDRAGUARD_REPLAY_REPORT_H_

#include <string>

#include "replay/replay.h"

namespace hydraguard::replay {

std::string ReplayReportJson(const ReplayResult& result);
std::string ReplayReportHtml(const ReplayResult& result);
// The table `hydraguard replay` prints.
std::string ReplayReportText(const ReplayResult& result);

}  // namespace hydraguard::replay

#endif  // HYDRAGUARD_REPLAY_REPORT_H_
