#include "ibmctl/region_import.h"

#include <csv.h>

#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/status.h"
#include "domain/region_code.h"
#include "domain/region_row.h"

namespace ibm::tools {
namespace {

namespace v1 = ibm::registry::v1;

// State shared with libcsv's callbacks.
struct Parse {
  std::string label;
  const std::function<absl::Status(CsvRecord&)>* on_record;
  CsvRecord record;
  int64_t line = 0;          // the line being fed
  int64_t record_start = 0;  // 0 between records
  absl::Status status;
};

void OnField(void* data, size_t len, void* p) {
  auto* parse = static_cast<Parse*>(p);
  parse->record.fields.emplace_back(static_cast<const char*>(data), len);
}

void OnRecordEnd(int, void* p) {
  auto* parse = static_cast<Parse*>(p);
  parse->record.line = parse->record_start;
  if (parse->status.ok()) parse->status = (*parse->on_record)(parse->record);
  parse->record.fields.clear();
  parse->record_start = 0;
}

bool Blank(absl::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

std::string RandomId() {
  std::random_device rd;
  return absl::StrCat("ibmctl-import-", absl::Hex(rd(), absl::kZeroPad8),
                      absl::Hex(rd(), absl::kZeroPad8));
}

}  // namespace

absl::Status ReadCsvFile(const std::string& path, absl::string_view label,
                         const std::function<absl::Status(CsvRecord&)>& on_record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(label, ": cannot open ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  absl::string_view rest = text;
  absl::ConsumePrefix(&rest, "\xEF\xBB\xBF");  // UTF-8 byte order mark

  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::ResourceExhaustedError("csv_init failed");
  }
  Parse parse{std::string(label), &on_record, {}, 0, 0, absl::OkStatus()};
  // Fed line by line, so that records and errors know their line.
  while (!rest.empty() && parse.status.ok()) {
    size_t end = rest.find('\n');
    end = end == absl::string_view::npos ? rest.size() : end + 1;
    absl::string_view line = rest.substr(0, end);
    rest.remove_prefix(end);
    ++parse.line;
    if (parse.record_start == 0 && !Blank(line)) parse.record_start = parse.line;
    if (csv_parse(&parser, line.data(), line.size(), OnField, OnRecordEnd, &parse) != line.size() &&
        parse.status.ok()) {
      parse.status = absl::InvalidArgumentError(absl::StrCat(
          label, ":", parse.line,
          ": malformed quoting (a quote inside an unquoted field, or text after a closing quote)"));
    }
  }
  if (parse.status.ok() && csv_fini(&parser, OnField, OnRecordEnd, &parse) != 0 &&
      parse.status.ok()) {
    parse.status = absl::InvalidArgumentError(
        absl::StrCat(label, ":", parse.record_start, ": quoted field is not terminated"));
  }
  csv_free(&parser);
  if (parse.status.ok() && parse.line == 0) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": the file is empty"));
  }
  return parse.status;
}

const std::vector<RegionFile>& RegionFiles() {
  static const std::vector<RegionFile> files = {
      {"provinces.csv", "code,name", v1::REGION_LEVEL_PROVINCE},
      {"regencies.csv", "code,province_code,name", v1::REGION_LEVEL_REGENCY},
      {"districts.csv", "code,regency_code,name", v1::REGION_LEVEL_DISTRICT},
      {"villages.csv", "code,district_code,name", v1::REGION_LEVEL_VILLAGE},
  };
  return files;
}

absl::Status ReadRegionFile(const std::string& dir, const RegionFile& file,
                            std::vector<v1::RegionRow>* rows) {
  const auto level = static_cast<domain::RegionLevel>(file.level);
  const size_t columns = file.level == v1::REGION_LEVEL_PROVINCE ? 2 : 3;
  bool header_seen = false;
  return ReadCsvFile(
      absl::StrCat(dir, "/", file.file), file.file, [&](CsvRecord& r) -> absl::Status {
        auto bad = [&](auto&&... what) {
          return absl::InvalidArgumentError(absl::StrCat(file.file, ":", r.line, ": ", what...));
        };
        if (!header_seen) {
          header_seen = true;
          if (absl::StrJoin(r.fields, ",") != file.header) {
            return bad("expected the header \"", file.header, "\", found \"",
                       absl::StrJoin(r.fields, ",").substr(0, 80), "\"");
          }
          return absl::OkStatus();
        }
        if (r.fields.size() != columns) {
          return bad("expected ", columns, " fields (", file.header, "), found ", r.fields.size());
        }
        const std::string& code = r.fields[0];
        const std::string& name = r.fields.back();
        auto parsed = domain::RegionCode::Parse(code);
        if (!parsed.ok() || parsed->level() != level) {
          return bad("'", code.substr(0, 20), "' is not a ", domain::RegionLevelName(level),
                     " code");
        }
        std::string parent;
        if (columns == 3) {
          parent =
              parsed->Ancestor(static_cast<domain::RegionLevel>(static_cast<int>(level) - 1)).str();
          if (r.fields[1] != parent) {
            return bad("parent '", r.fields[1].substr(0, 20), "' of ", code, " must be ", parent);
          }
        }
        // The registry's own rules for a row (domain/region_row.h).
        for (const auto& problem : domain::CheckRegionRow(code, parent, name)) {
          return bad("the ", problem.field, " ", problem.message);
        }
        v1::RegionRow& row = rows->emplace_back();
        row.set_code(code);
        row.set_parent_code(parent);
        row.set_name(name);
        row.set_source_file(file.file);
        row.set_source_line(r.line);
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<v1::RegionRow>> ReadRegionDataSet(const std::string& dir) {
  std::vector<v1::RegionRow> rows;
  rows.reserve(100000);
  for (const RegionFile& f : RegionFiles()) {
    if (auto s = ReadRegionFile(dir, f, &rows); !s.ok()) return s;
  }
  return rows;
}

absl::StatusOr<ImportResult> ImportRegions(v1::RegionService::StubInterface& stub,
                                           const std::vector<v1::RegionRow>& rows,
                                           const ImportOptions& options) {
  if (rows.empty()) return absl::InvalidArgumentError("no rows to import");
  if (options.chunk_size < 1 || options.chunk_size > 5000) {
    return absl::InvalidArgumentError("the chunk size must be 1-5000");
  }
  // Each step is idempotent (request_id, chunk_index, re-commit), so UNAVAILABLE is retried.
  auto call = [&](auto&& rpc) -> absl::Status {
    grpc::Status s;
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (attempt > 0) absl::SleepFor(absl::Milliseconds(200 << attempt));
      grpc::ClientContext ctx;
      if (options.prepare) options.prepare(&ctx);
      s = rpc(&ctx);
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    }
    return platform::FromGrpcStatus(s);
  };

  ImportResult result;
  const absl::Time start = absl::Now();
  v1::BeginRegionImportRequest begin;
  begin.set_edition(options.edition);
  begin.set_request_id(options.request_id.empty() ? RandomId() : options.request_id);
  if (auto s = call(
          [&](grpc::ClientContext* c) { return stub.BeginRegionImport(c, begin, &result.import); });
      !s.ok()) {
    return s;
  }
  const std::string name = result.import.name();

  ImportProgress progress;
  progress.rows_total = static_cast<int64_t>(rows.size());
  progress.chunks_total =
      static_cast<int>((rows.size() + options.chunk_size - 1) / options.chunk_size);
  v1::AddRegionImportRowsRequest add;
  for (size_t at = 0; at < rows.size(); at += options.chunk_size) {
    add.Clear();
    add.set_name(name);
    add.set_chunk_index(progress.chunks_sent);
    const size_t end = std::min(rows.size(), at + options.chunk_size);
    add.mutable_rows()->Reserve(static_cast<int>(end - at));
    for (size_t i = at; i < end; ++i) *add.add_rows() = rows[i];
    v1::RegionImport staged;
    if (auto s =
            call([&](grpc::ClientContext* c) { return stub.AddRegionImportRows(c, add, &staged); });
        !s.ok()) {
      return s;
    }
    ++progress.chunks_sent;
    progress.rows_sent = static_cast<int64_t>(end);
    if (options.progress) options.progress(progress);
  }

  v1::CommitRegionImportRequest commit;
  commit.set_name(name);
  if (auto s = call([&](grpc::ClientContext* c) {
        return stub.CommitRegionImport(c, commit, &result.import);
      });
      !s.ok()) {
    return s;
  }
  result.elapsed = absl::Now() - start;
  return result;
}

}  // namespace ibm::tools
