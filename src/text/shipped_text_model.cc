// The text model shipped in the repository (models/text_model.hgtm), compiled
// into the binary with the assembler's .incbin, so that every binary carries
// the model its tests were run with and no path has to be found at run time.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "text/text_model.h"

#ifndef HG_TEXT_MODEL_PATH
#error "HG_TEXT_MODEL_PATH must name models/text_model.hgtm (set by src/text/CMakeLists.txt)"
#endif

extern "C" const char hg_shipped_text_model_begin[];
extern "C" const char hg_shipped_text_model_end[];
asm(".pushsection .rodata\n"
    ".global hg_shipped_text_model_begin\n"
    "hg_shipped_text_model_begin:\n"
    ".incbin \"" HG_TEXT_MODEL_PATH
    "\"\n"
    ".global hg_shipped_text_model_end\n"
    "hg_shipped_text_model_end:\n"
    ".popsection\n");

namespace hydraguard::text {

const TextModel& TextModel::Shipped() {
  static const TextModel* model = [] {
    std::string_view bytes(hg_shipped_text_model_begin,
                           static_cast<size_t>(hg_shipped_text_model_end - hg_shipped_text_model_begin));
    absl::StatusOr<TextModel> parsed = Parse(bytes, "the shipped text model");
    if (!parsed.ok()) {  // the build embeds the tested file: this is a broken build, not bad input
      std::fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new TextModel(*std::move(parsed));
  }();
  return *model;
}

}  // namespace hydraguard::text
