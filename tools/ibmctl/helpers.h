#pragma once

// What every ibmctl command shares: short names, enum flags, one-record and list output,
// paging, unary calls with the prepared context, update masks from flags, request ids and
// the common flags. Header-only (templates).

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "google/protobuf/field_mask.pb.h"
#include "ibmctl/cli.h"

namespace ibm::ibmctl {

using Strings = std::vector<std::string>;
using F = FlagType;

// Every create carries a request_id (the suite's rule): the one given, else a fresh one, so
// that ibmctl's own retries of a create never create twice.
inline std::string RequestIdOf(const Args& a) {
  return a.has("request_id") && !a.get("request_id").empty()
             ? a.get("request_id")
             : absl::StrCat("ibmctl-", platform::RandomId(16));
}

inline std::string Short(const std::string& name) {  // "regions/32.73" -> "32.73"
  const size_t slash = name.find('/');
  return slash == std::string::npos || name.find('/', slash + 1) != std::string::npos
             ? name
             : name.substr(slash + 1);
}
inline std::string YesNo(bool b) { return b ? "yes" : "no"; }

template <typename E>
std::string Name(E value) {
  return EnumName(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
E Parse(const Args& a, const char* flag) {
  return static_cast<E>(ParseEnum(google::protobuf::GetEnumDescriptor<E>(), a.get(flag), flag));
}

// A list response: a table of its items (and how to get the next page), or JSON.
template <typename Items, typename Cells>
int PrintList(Context& ctx, const google::protobuf::Message& response, const Items& items,
              const Strings& headers, Cells cells, const std::string& next_page_token) {
  if (ctx.json()) {
    PrintJson(response);
    return 0;
  }
  Table t(headers);
  for (const auto& item : items) t.Add(cells(item));
  t.Print(std::cout);
  if (!next_page_token.empty()) {
    std::cerr << "(more: --page_token=" << next_page_token << ", or --all)\n";
  }
  return 0;
}

// One resource: "HEADER  value" lines, or JSON.
template <typename M>
int PrintOne(Context& ctx, const M& m, const Strings& headers, Strings (*cells)(const M&)) {
  if (ctx.json()) {
    PrintJson(m);
  } else {
    Table::PrintRecord(std::cout, headers, cells(m));
  }
  return 0;
}

// Calls a list method once, or with --all until next_page_token is empty, collecting the
// pages into `all` (repeated fields append; the token ends up empty).
template <typename Req, typename Resp, typename Rpc>
grpc::Status ListPages(Context& ctx, const Args& a, Req req, Resp* all, Rpc rpc) {
  if (a.has("page_size")) req.set_page_size(ParseInt(a.get("page_size"), "page_size"));
  req.set_page_token(a.get("page_token"));
  while (true) {
    grpc::ClientContext c;
    ctx.Prepare(&c);
    Resp page;
    grpc::Status s = rpc(&c, req, &page);
    if (!s.ok()) return s;
    all->MergeFrom(page);
    all->set_next_page_token(page.next_page_token());
    if (!a.flag("all") || page.next_page_token().empty()) return s;
    req.set_page_token(page.next_page_token());
  }
}

// A stub on the channel to `service` (the address of its global flag: --registry, --cases).
template <typename Stub>
std::unique_ptr<typename Stub::Stub> NewStub(Context& ctx,
                                             const std::string& service = "registry") {
  return Stub::NewStub(ctx.channel(service));
}

// Calls a unary method with a prepared context.
template <typename Req, typename Resp, typename Rpc>
grpc::Status Call(Context& ctx, const Req& req, Resp* resp, Rpc rpc) {
  grpc::ClientContext c;
  ctx.Prepare(&c);
  return rpc(&c, req, resp);
}

// The paths of the given flags, for an update_mask: {flag, path}.
inline void MaskFromFlags(const Args& a,
                          const std::vector<std::pair<const char*, const char*>>& map,
                          google::protobuf::FieldMask* mask) {
  for (const auto& [flag, path] : map) {
    if (a.has(flag) &&
        std::find(mask->paths().begin(), mask->paths().end(), path) == mask->paths().end()) {
      mask->add_paths(path);
    }
  }
  if (mask->paths().empty()) throw UsageError("nothing to update: give at least one field flag");
}

using F = FlagType;
inline const Flag kPageSize{"page_size", F::kString, "N",
                            "at most N per page (server default 50, at most 1000)"};
inline const Flag kPageToken{"page_token", F::kString, "TOKEN", "continue a previous list"};
inline const Flag kAll{"all", F::kBool, "", "follow next_page_token to the end"};
inline const Flag kRequestId{"request_id", F::kString, "ID",
                             "the create's id: a retry with the same id returns the first result "
                             "[default: a fresh random id]"};
inline const Flag kEtag{"etag", F::kString, "ETAG",
                        "the etag you read: a stale one is refused (ABORTED)"};

inline std::vector<Flag> Paged(std::vector<Flag> flags) {
  flags.insert(flags.end(), {kPageSize, kPageToken, kAll});
  return flags;
}

// Walks an audit log's whole hash chain, a call per 100,000 entries (Req: after_sequence;
// Resp: verified_entries, head_sequence, broken_sequence, problem, next_after_sequence,
// queued_entries, and unchained_entries where the log predates its chain); prints the total
// or the first broken entry. Exit code 1 when an entry is broken.
template <typename Req, typename Resp, typename Rpc>
int VerifyChain(Context& ctx, const std::string& what, Rpc rpc, Req req = {}) {
  Resp total, page;
  do {
    if (auto s = Call(ctx, req, &page, rpc); !s.ok()) return Fail(s);
    total.set_verified_entries(total.verified_entries() + page.verified_entries());
    if constexpr (requires { page.unchained_entries(); }) {
      total.set_unchained_entries(total.unchained_entries() + page.unchained_entries());
    }
    total.set_head_sequence(page.head_sequence());
    total.set_broken_sequence(page.broken_sequence());
    total.set_problem(page.problem());
    total.set_queued_entries(page.queued_entries());
    req.set_after_sequence(page.next_after_sequence());
  } while (page.broken_sequence() == 0 && page.next_after_sequence() != 0);
  if (ctx.json()) {
    PrintJson(total);
  } else if (total.broken_sequence() == 0) {
    std::cout << what << " intact: " << total.verified_entries() << " entries verified up to "
              << total.head_sequence();
    if constexpr (requires { total.unchained_entries(); }) {
      if (total.unchained_entries() > 0) {
        std::cout << " (" << total.unchained_entries() << " older entries predate the chain)";
      }
    }
    if (total.queued_entries() > 0) {
      std::cout << "; " << total.queued_entries() << " newer entries not chained yet";
    }
    std::cout << "\n";
  } else {
    std::cout << what << " BROKEN at entry " << total.broken_sequence() << ": " << total.problem()
              << " (" << total.verified_entries() << " entries before it verified)\n";
  }
  return total.broken_sequence() == 0 ? 0 : 1;
}

}  // namespace ibm::ibmctl
