#pragma once

#include <concepts>
#include <cstdint>
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

// One result row. Typed getters convert where the engines differ in what they return
// (e.g. MySQL DECIMAL arrives as text) and fail loudly on a real type mismatch.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

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

 private:
  std::vector<Value> values_;
};

}  // namespace ibm::sql
