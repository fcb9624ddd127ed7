// The C interface of libparley_pdf.so (pdf_module.cc), shared by the module and its loader.
#pragma once

#include <cstddef>

extern "C" {

enum { kParleyPdfOk = 0, kParleyPdfMalformed = 1, kParleyPdfEncrypted = 2 };

// Receives UTF-8 text (not NUL-terminated) that is valid only during the call.
typedef void (*ParleyPdfTextFn)(void* ctx, const char* text, size_t size);

// Reads the PDF in [data, data + size): the document title (if any) to on_title, then each
// page's text to on_page, in order. Returns one of the codes above.
typedef int (*ParleyPdfExtractFn)(const char* data, size_t size, void* ctx,
                                  ParleyPdfTextFn on_title, ParleyPdfTextFn on_page);
int parley_pdf_extract(const char* data, size_t size, void* ctx, ParleyPdfTextFn on_title,
                       ParleyPdfTextFn on_page);
}
