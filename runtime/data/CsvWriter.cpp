//===- CsvWriter.cpp - Metrics as CSV -------------------------------------===//
//
// RFC 4180 output that pandas, spreadsheets and `column -s,` all read.
// Numbers use the shortest text that parses back to the same double, so a
// loss curve read back from the file is the one the run computed.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"
#include "runtime/data/Detail.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace kiln {

using data_detail::fail;

namespace {

bool needsQuotes(const std::string &text) {
  return text.find_first_of(",\"\r\n") != std::string::npos ||
         (!text.empty() && (text.front() == ' ' || text.back() == ' '));
}

std::string errnoMessage() { return std::strerror(errno); }

} // namespace

CsvField::CsvField(double value) {
  if (std::isnan(value)) {
    text_ = "nan";
    return;
  }
  if (std::isinf(value)) {
    text_ = value > 0 ? "inf" : "-inf";
    return;
  }
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  text_ = buffer;
}

std::string CsvWriter::formatRow(const std::vector<CsvField> &fields) {
  std::string row;
  for (size_t i = 0; i != fields.size(); ++i) {
    if (i)
      row += ',';
    const std::string &text = fields[i].text();
    if (!needsQuotes(text)) {
      row += text;
      continue;
    }
    row += '"';
    for (char c : text) {
      if (c == '"')
        row += '"';
      row += c;
    }
    row += '"';
  }
  return row;
}

CsvWriter::CsvWriter(CsvWriter &&other) noexcept { *this = std::move(other); }

CsvWriter &CsvWriter::operator=(CsvWriter &&other) noexcept {
  if (this != &other) {
    close();
    file_ = other.file_;
    path_ = std::move(other.path_);
    numColumns_ = other.numColumns_;
    other.file_ = nullptr;
  }
  return *this;
}

CsvWriter::~CsvWriter() { close(); }

Status CsvWriter::open(const std::string &path,
                       std::vector<std::string> columns, CsvWriter &out,
                       bool append) {
  if (columns.empty())
    return fail(path, "a CSV file needs at least one column");
  std::vector<CsvField> headerFields(columns.begin(), columns.end());
  std::string header = formatRow(headerFields);
  std::error_code ec;
  bool resume = append && std::filesystem::is_regular_file(path, ec) &&
                std::filesystem::file_size(path, ec) > 0 && !ec;
  if (resume) {
    std::ifstream existing(path);
    std::string firstLine;
    std::getline(existing, firstLine);
    if (firstLine != header)
      return fail(path, "cannot append: the file's header " +
                            data_detail::quote(firstLine) + " differs from " +
                            data_detail::quote(header));
  }
  std::FILE *file = std::fopen(path.c_str(), resume ? "ab" : "wb");
  if (!file)
    return fail(path, "cannot open for writing: " + errnoMessage());
  CsvWriter writer;
  writer.file_ = file;
  writer.path_ = path;
  writer.numColumns_ = columns.size();
  if (!resume) {
    header += '\n';
    if (std::fputs(header.c_str(), file) < 0 || std::fflush(file) != 0)
      return fail(path, "write error: " + errnoMessage());
  }
  out = std::move(writer);
  return Status::ok();
}

Status CsvWriter::writeRow(const std::vector<CsvField> &fields) {
  if (!file_)
    return Status::error("CSV writer: no open file");
  if (fields.size() != numColumns_)
    return fail(path_, "row has " + std::to_string(fields.size()) +
                           " fields, the header has " +
                           std::to_string(numColumns_) + " columns");
  std::string row = formatRow(fields) + '\n';
  if (std::fwrite(row.data(), 1, row.size(), file_) != row.size() ||
      std::fflush(file_) != 0)
    return fail(path_, "write error: " + errnoMessage());
  return Status::ok();
}

Status CsvWriter::close() {
  if (!file_)
    return Status::ok();
  int result = std::fclose(file_);
  file_ = nullptr;
  if (result != 0)
    return fail(path_, "write error on close: " + errnoMessage());
  return Status::ok();
}

} // namespace kiln
