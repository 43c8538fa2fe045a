#pragma once

// ClientService: the pseudonymous client record (clients.cc) and its identity, the NIK
// lookup, NIK match notices and the identity access log (identity.cc).

#include "cases/core.h"
#include "cases/services.h"
#include "cases/store/clients.h"
#include "ibm/cases/v1/clients.grpc.pb.h"

namespace ibm::cases {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

class ClientService final : public v1::ClientService::CallbackService {
 public:
  ClientService(CorePtr core, platform::Runtime runtime);
  ServerUnaryReactor* GetClient(CallbackServerContext*, const v1::GetClientRequest*,
                                v1::Client*) override;
  ServerUnaryReactor* ListClients(CallbackServerContext*, const v1::ListClientsRequest*,
                                  v1::ListClientsResponse*) override;
  ServerUnaryReactor* CreateClient(CallbackServerContext*, const v1::CreateClientRequest*,
                                   v1::Client*) override;
  // CreateClient without gRPC (creates.h): UploadBatch runs it record by record.
  absl::Status Create(const Call& call, const v1::CreateClientRequest* req, v1::Client* resp,
                      bool* replayed = nullptr) const;
  ServerUnaryReactor* UpdateClient(CallbackServerContext*, const v1::UpdateClientRequest*,
                                   v1::Client*) override;
  ServerUnaryReactor* RecordClientConsent(CallbackServerContext*,
                                          const v1::RecordClientConsentRequest*,
                                          v1::Client*) override;
  ServerUnaryReactor* RecordClientLegalOrder(CallbackServerContext*,
                                             const v1::RecordClientLegalOrderRequest*,
                                             v1::Client*) override;
  ServerUnaryReactor* GetClientIdentity(CallbackServerContext*, const v1::GetClientIdentityRequest*,
                                        v1::ClientIdentity*) override;
  ServerUnaryReactor* UpdateClientIdentity(CallbackServerContext*,
                                           const v1::UpdateClientIdentityRequest*,
                                           v1::ClientIdentity*) override;
  ServerUnaryReactor* LookupClientByNik(CallbackServerContext*, const v1::LookupClientByNikRequest*,
                                        v1::LookupClientByNikResponse*) override;
  ServerUnaryReactor* WithdrawClientConsent(CallbackServerContext*,
                                            const v1::WithdrawClientConsentRequest*,
                                            v1::Client*) override;
  ServerUnaryReactor* VoidClient(CallbackServerContext*, const v1::VoidClientRequest*,
                                 v1::Client*) override;
  ServerUnaryReactor* ListIdentityAccessRecords(CallbackServerContext*,
                                                const v1::ListIdentityAccessRecordsRequest*,
                                                v1::ListIdentityAccessRecordsResponse*) override;
  ServerUnaryReactor* GetNikMatchNotice(CallbackServerContext*, const v1::GetNikMatchNoticeRequest*,
                                        v1::NikMatchNotice*) override;
  ServerUnaryReactor* ListNikMatchNotices(CallbackServerContext*,
                                          const v1::ListNikMatchNoticesRequest*,
                                          v1::ListNikMatchNoticesResponse*) override;
  ServerUnaryReactor* CloseNikMatchNotice(CallbackServerContext*,
                                          const v1::CloseNikMatchNoticeRequest*,
                                          v1::NikMatchNotice*) override;

 private:
  CorePtr core_;
  platform::UnaryCalls calls_;
};

// ---- Shared by clients.cc and identity.cc.

// The client, which must be in the caller's scope for `grant`: ✓ the current unit or any
// unit where it had a case lies in the caller's scope; ✓u the agent's unit is the client's;
// ✓f the caller's satker fosters the client's unit; ✓n national.
absl::StatusOr<store::Client> LoadClientInScope(const Core& core, sql::Session& s, const Call& call,
                                                const Grant& grant, absl::string_view client_id,
                                                absl::string_view name, bool for_update = false);
// The same check on a client already read (e.g. one a NIK names).
absl::StatusOr<bool> ClientInScope(const Core& core, sql::Session& s, const Call& call,
                                   const Grant& grant, const store::Client& client);

// The response: the stored record as the caller may see it (coarse for national callers;
// nik_review_pending for officers only).
void ClientToProto(const store::Client& c, const Principal& caller, int current_year,
                   v1::Client* out);

// FAILED_PRECONDITION CLIENT_NOT_ACTIVE unless the client is ACTIVE.
absl::Status RequireActive(const store::Client& c);

// The identity's sealed form, bound to the client's name.
std::string SealIdentity(const Core& core, absl::string_view client_id,
                         const v1::ClientIdentity& identity);
absl::StatusOr<v1::ClientIdentity> OpenIdentity(const Core& core, absl::string_view client_id,
                                                absl::string_view sealed);

// A NIK that another client already holds: what the caller is told and what is filed.
// `origin` is the notice's; `pending_client` the client being created by an agent outside
// the holder's unit (stored with nik_review_pending). Returns:
// - OK with `index` true: nobody holds it, index it;
// - OK with `index` false: an agent outside the holder's unit (stored, review pending, a
//   notice filed);
// - ALREADY_EXISTS NIK_EXISTS (metadata client) in the caller's scope;
// - ALREADY_EXISTS NIK_EXISTS_OUTSIDE_SCOPE (and a notice filed) outside it.
struct NikCheck {
  bool index = true;
};
absl::StatusOr<NikCheck> CheckNikHolder(const Core& core, sql::Session& s, const Call& call,
                                        const Grant& grant, absl::string_view nik_hmac,
                                        absl::string_view own_client_id,
                                        v1::NikMatchNotice::Origin origin,
                                        absl::string_view pending_client);

// Files (or, while one is OPEN for the same requester satker, counts again) a notice with
// the satker holding `holder`; returns its name.
absl::StatusOr<std::string> FileNikMatchNotice(const Core& core, sql::Session& s, const Call& call,
                                               const store::Client& holder,
                                               v1::NikMatchNotice::Origin origin,
                                               absl::string_view justification,
                                               absl::string_view pending_client);

}  // namespace ibm::cases
