#include "resource/secrets.h"

#include "absl/strings/str_cat.h"
#include "base/crypto.h"

namespace ibm::resource {

absl::StatusOr<std::string> LoadSharedSecret(sql::Database& db, absl::string_view table,
                                             absl::string_view name) {
  absl::Status s = db.Transact(sql::TxMode::kReadWrite, [&](sql::Session& session) {
    return session
        .Exec(absl::StrCat(db.dialect().InsertIgnore(), " INTO ", table,
                           " (name, secret) VALUES (?, ?)"),
              {std::string(name), sql::Bytes{platform::RandomBytes(32)}})
        .status();
  });
  if (!s.ok()) return s;
  auto rows =
      db.Query(absl::StrCat("SELECT secret FROM ", table, " WHERE name = ?"), {std::string(name)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InternalError(absl::StrCat("secret ", name, " missing"));
  return rows->front().Blob(0);
}

absl::StatusOr<platform::PageTokens> LoadPageTokens(sql::Database& db, absl::string_view table) {
  auto secret = LoadSharedSecret(db, table, "page_tokens");
  if (!secret.ok()) return secret.status();
  return platform::PageTokens(*std::move(secret));
}

}  // namespace ibm::resource
