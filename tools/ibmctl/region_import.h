#pragma once

// Region data import, shared by `ibmctl regions import` and the benchmark: a strict CSV
// reader (libcsv, RFC 4180) for the four files of a data set such as npm
// idn-area-data@4.0.1, and the staged gRPC import (BeginRegionImport, AddRegionImportRows in
// chunks, CommitRegionImport).
//
// Files and their columns (a header line first; names may be quoted, with commas or doubled
// quotes inside):
//   provinces.csv  code,name
//   regencies.csv  code,province_code,name
//   districts.csv  code,regency_code,name
//   villages.csv   code,district_code,name

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "ibm/registry/v1/registry.grpc.pb.h"

namespace ibm::tools {

// One record of a CSV file: its fields and the line it starts on (1 = the first line).
struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;
};

// Reads `path` strictly: a quote inside an unquoted field, text after a closing quote or an
// unterminated quoted field is an error. A UTF-8 byte order mark is skipped; LF and CRLF
// line ends both work; blank lines are skipped. Calls `on_record` for every record (the
// header too) and stops at its first error. Errors name the place as "<label>:<line>: ...".
absl::Status ReadCsvFile(const std::string& path, absl::string_view label,
                         const std::function<absl::Status(CsvRecord&)>& on_record);

// The files of a data set, parents before children.
struct RegionFile {
  const char* file;    // "villages.csv"
  const char* header;  // "code,district_code,name"
  ibm::registry::v1::RegionLevel level;
};
const std::vector<RegionFile>& RegionFiles();

// Reads one file of the data set into `rows` (appending), checking the header, the number
// of fields, the code's shape and level, that the parent column is the code's parent, and
// the name (1-255 bytes of UTF-8, no control characters). Rows carry source_file and
// source_line.
absl::Status ReadRegionFile(const std::string& dir, const RegionFile& file,
                            std::vector<ibm::registry::v1::RegionRow>* rows);

// All four files of `dir`, in RegionFiles() order. Nothing is returned unless every row of
// every file is well formed.
absl::StatusOr<std::vector<ibm::registry::v1::RegionRow>> ReadRegionDataSet(const std::string& dir);

struct ImportProgress {
  int chunks_sent = 0, chunks_total = 0;
  int64_t rows_sent = 0, rows_total = 0;
};

struct ImportOptions {
  std::string edition;
  // Makes a retried begin return the same import; a random one when empty.
  std::string request_id;
  int chunk_size = 5000;
  // Prepares every call's context (deadline, credentials metadata).
  std::function<void(grpc::ClientContext*)> prepare;
  // Called after each chunk the server accepted.
  std::function<void(const ImportProgress&)> progress;
};

struct ImportResult {
  ibm::registry::v1::RegionImport import;  // as committed, with its counts
  absl::Duration elapsed;                  // from Begin to Commit done
};

// Begin, AddRegionImportRows in chunks of options.chunk_size (chunk_index 0, 1, ...), Commit.
// A call that fails with UNAVAILABLE is retried a few times (each step is idempotent). On
// error the staged import is left uncommitted, so the registry is unchanged.
absl::StatusOr<ImportResult> ImportRegions(ibm::registry::v1::RegionService::StubInterface& stub,
                                           const std::vector<ibm::registry::v1::RegionRow>& rows,
                                           const ImportOptions& options);

}  // namespace ibm::tools
