// libparley_pdf.so: PDF text extraction with poppler-cpp, loaded by the server the first time a
// PDF is ingested (see ParsePdf in html_pdf.cc). poppler and the two dozen libraries it pulls in
// cost about 3.5 MB of resident memory from the moment they are linked; as a module they cost
// nothing until a PDF arrives. C interface, so the server needs no poppler headers or symbols.
#include "knowledge/pdf_module.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

extern "C" __attribute__((visibility("default"))) int parley_pdf_extract(const char* data,
                                                                         size_t size, void* ctx,
                                                                         ParleyPdfTextFn on_title,
                                                                         ParleyPdfTextFn on_page) {
  // poppler prints its own diagnostics to stderr; keep them out of the server's log. The hook
  // is process-wide, so it is set once.
  static std::once_flag quiet;
  std::call_once(
      quiet, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(data, static_cast<int>(size)));
  if (!pdf) return kParleyPdfMalformed;
  if (pdf->is_locked() || pdf->is_encrypted()) return kParleyPdfEncrypted;
  const poppler::ustring title = pdf->info_key("Title");
  if (!title.empty()) {
    const auto utf8 = title.to_utf8();
    on_title(ctx, utf8.data(), utf8.size());
  }
  for (int i = 0; i < pdf->pages(); ++i) {
    std::unique_ptr<poppler::page> page(pdf->create_page(i));
    if (!page) continue;
    const auto utf8 = page->text().to_utf8();
    on_page(ctx, utf8.data(), utf8.size());
  }
  return kParleyPdfOk;
}
