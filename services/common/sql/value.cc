#include "sql/value.h"

#include <cstdlib>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ibm::sql {
namespace {

[[noreturn]] void TypeMismatch(size_t i, absl::string_view want) {
  // A column of the wrong type is a bug in a store's SQL, never a consequence of input.
  throw std::logic_error(absl::StrCat("sql: column ", i, " is not ", want));
}

}  // namespace

int64_t Row::Int(size_t i) const {
  const Value& v = at(i);
  switch (v.kind()) {
    case Value::Kind::kInt:
      return v.as_int();
    case Value::Kind::kText: {
      int64_t out;
      if (absl::SimpleAtoi(v.as_text(), &out)) return out;
      break;
    }
    default:
      break;
  }
  TypeMismatch(i, "an integer");
}

double Row::Double(size_t i) const {
  const Value& v = at(i);
  switch (v.kind()) {
    case Value::Kind::kDouble:
      return v.as_double();
    case Value::Kind::kInt:
      return static_cast<double>(v.as_int());
    case Value::Kind::kText: {
      double out;
      if (absl::SimpleAtod(v.as_text(), &out)) return out;
      break;
    }
    default:
      break;
  }
  TypeMismatch(i, "a number");
}

std::string Row::Text(size_t i) const {
  const Value& v = at(i);
  switch (v.kind()) {
    case Value::Kind::kText:
      return v.as_text();
    case Value::Kind::kBytes:
      return v.as_bytes().data;
    case Value::Kind::kInt:
      return absl::StrCat(v.as_int());
    default:
      TypeMismatch(i, "text");
  }
}

std::string Row::Blob(size_t i) const {
  const Value& v = at(i);
  if (v.kind() == Value::Kind::kBytes) return v.as_bytes().data;
  if (v.kind() == Value::Kind::kText) return v.as_text();
  TypeMismatch(i, "a blob");
}

size_t Row::Index(absl::string_view column) const {
  if (names_ != nullptr) {
    for (size_t i = 0; i < names_->size(); ++i) {
      if ((*names_)[i] == column) return i;
    }
  }
  throw std::logic_error(absl::StrCat("sql: the result has no column ", column));
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

}  // namespace ibm::sql
