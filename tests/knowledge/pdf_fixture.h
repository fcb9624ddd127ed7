// Builds small PDF files for the parser tests: one page per text, Helvetica, with a correct
// cross-reference table, optionally with an /Encrypt dictionary (standard security handler,
// RC4 40-bit, owner and user keys that no password opens).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace parley::testing {

inline std::string MakePdf(const std::vector<std::string>& pages, bool encrypted = false) {
  std::vector<std::string> objs;
  objs.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  const size_t first_page = 3;
  for (size_t i = 0; i < pages.size(); ++i) {
    kids += std::to_string(first_page + 2 * i) + " 0 R ";
  }
  objs.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) +
                 " >>");
  const size_t font = first_page + 2 * pages.size();
  for (size_t i = 0; i < pages.size(); ++i) {
    objs.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
                   std::to_string(first_page + 2 * i + 1) + " 0 R /Resources << /Font << /F1 " +
                   std::to_string(font) + " 0 R >> >> >>");
    const std::string stream = "BT /F1 12 Tf 72 720 Td (" + pages[i] + ") Tj ET";
    objs.push_back("<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream +
                   "\nendstream");
  }
  objs.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const size_t encrypt = objs.size() + 1;
  if (encrypted) {
    objs.push_back("<< /Filter /Standard /V 1 /R 2 /O <" + std::string(64, 'a') + "> /U <" +
                   std::string(64, 'b') + "> /P -4 >>");
  }
  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t o : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R";
  if (encrypted) {
    out += " /Encrypt " + std::to_string(encrypt) + " 0 R /ID [<" + std::string(32, '1') + "> <" +
           std::string(32, '1') + ">]";
  }
  out += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace parley::testing
