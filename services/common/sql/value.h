#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ibm::sql {

// Binary data: kept apart from text so both engines bind it as a BLOB.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// One SQL value, bound as a parameter or read from a row. Booleans are stored as 0/1
// integers and timestamps as integer microseconds since the Unix epoch (UTC) on both engines.
class Value {
 public:
  enum class Kind { kNull, kInt, kDouble, kText, kBytes };

  Value() = default;
  Value(std::nullopt_t) {}
  template <std::integral T>
  Value(T v) : v_(static_cast<int64_t>(v)) {}
  template <std::floating_point T>
  Value(T v) : v_(static_cast<double>(v)) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(absl::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(Bytes v) : v_(std::move(v)) {}
  template <typename T>
  Value(const std::optional<T>& v) {
    if (v.has_value()) *this = Value(*v);
  }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }
  const Bytes& as_bytes() const { return std::get<Bytes>(v_); }

  bool operator==(const Value&) const = default;

 private:
  std::variant<std::monostate, int64_t, double, std::string, Bytes> v_;
};

using Params = std::vector<Value>;

// The column names of a result, shared by its rows.
using ColumnNames = std::shared_ptr<const std::vector<std::string>>;

// One result row. Typed getters convert where the engines differ in what they return
// (e.g. MySQL DECIMAL arrives as text) and fail loudly on a real type mismatch (an
// exception: the call runner turns it into INTERNAL for that call). Columns are read by
// name (`row.Int("version")`), which stays right when a SELECT's column list changes, or by
// position.
class Row {
 public:
  explicit Row(std::vector<Value> values, ColumnNames names = nullptr)
      : values_(std::move(values)), names_(std::move(names)) {}

  size_t size() const { return values_.size(); }
  const Value& at(size_t i) const { return values_.at(i); }
  bool IsNull(size_t i) const { return values_.at(i).is_null(); }

  // These treat NULL as an error; use the Opt variants for nullable columns.
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  std::string Text(size_t i) const;
  std::string Blob(size_t i) const;
  bool Bool(size_t i) const { return Int(i) != 0; }

  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;

  // By column name (as the SELECT names it: the column, or its AS alias). A name the result
  // does not have is a bug in the store's SQL: it throws like a type mismatch.
  size_t Index(absl::string_view column) const;
  bool IsNull(absl::string_view c) const { return IsNull(Index(c)); }
  int64_t Int(absl::string_view c) const { return Int(Index(c)); }
  double Double(absl::string_view c) const { return Double(Index(c)); }
  std::string Text(absl::string_view c) const { return Text(Index(c)); }
  std::string Blob(absl::string_view c) const { return Blob(Index(c)); }
  bool Bool(absl::string_view c) const { return Bool(Index(c)); }
  std::optional<int64_t> OptInt(absl::string_view c) const { return OptInt(Index(c)); }
  std::optional<std::string> OptText(absl::string_view c) const { return OptText(Index(c)); }

 private:
  std::vector<Value> values_;
  ColumnNames names_;
};

}  // namespace ibm::sql
