// Re-keying the NIK index. The index holds HMAC-SHA256(key, NIK) under the first key of the
// NIK-index key file, with the key's id on each entry. To rotate the key: put a new key on
// top of the file (keep the old one below) and restart the service; before it serves, it
// re-indexes every entry made under another key, from the NIK sealed in the client's
// identity (which needs the field keys, not the old index key), in transactions of 200.
// When the log line "NIK index re-keyed" has appeared (or no entry was under the old key),
// the old key can leave the file.
#include "cases/nik_index.h"

#include "base/logging.h"
#include "base/macros.h"
#include "cases/clients.h"

namespace ibm::cases {

absl::StatusOr<int> RekeyNikIndex(const Core& core) {
  const store::Clients clients(core.dialect());
  int done = 0;
  while (true) {
    int batch = 0;  // set, not added to, inside: a retried transaction counts once
    IBM_RETURN_IF_ERROR(core.db().Transact(sql::TxMode::kReadWrite, [&](sql::Session& s) {
      auto ids = clients.ClientsIndexedUnderOtherKey(s, core.NikIndexKeyId(), 200);
      if (!ids.ok()) return ids.status();
      batch = static_cast<int>(ids->size());
      for (const std::string& id : *ids) {
        IBM_RETURN_IF_ERROR(clients.DropNik(s, id));
        auto stored = clients.GetIdentity(s, id);
        if (!stored.ok()) return stored.status();
        if (!*stored || (*stored)->erased) continue;  // nothing to index any more
        auto identity = OpenIdentity(core, id, (*stored)->sealed);
        if (!identity.ok()) return identity.status();
        if (identity->nik().empty()) continue;
        IBM_RETURN_IF_ERROR(
            clients.IndexNik(s, core.NikIndex(identity->nik()), id, core.NikIndexKeyId()));
      }
      return absl::OkStatus();
    }));
    if (batch == 0) break;
    done += batch;
  }
  if (done > 0) {
    platform::Log(platform::LogLevel::kInfo, "NIK index re-keyed",
                  {{"key_id", core.NikIndexKeyId()}, {"entries", done}, {"left", 0}});
  }
  return done;
}

}  // namespace ibm::cases
