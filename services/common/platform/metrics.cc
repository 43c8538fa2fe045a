#include "platform/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"

namespace ibm::platform {

struct Metrics::Families {
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& duration;
  prometheus::Gauge& queued;
  prometheus::Gauge& db_open;
  prometheus::Gauge& db_idle;
  prometheus::Counter& log_dropped;
  uint64_t log_dropped_seen = 0;
};

Metrics::Metrics(std::string service)
    : service_(std::move(service)), registry_(std::make_shared<prometheus::Registry>()) {
  auto& gauges = prometheus::BuildGauge()
                     .Name("ibm_executor_queued")
                     .Help("Calls waiting for a worker thread")
                     .Register(*registry_);
  auto& db = prometheus::BuildGauge()
                 .Name("ibm_db_connections")
                 .Help("SQL connection pool")
                 .Register(*registry_);
  families_.reset(new Families{
      prometheus::BuildCounter()
          .Name("ibm_rpc_handled_total")
          .Help("RPCs finished, by method and gRPC status code")
          .Register(*registry_),
      prometheus::BuildHistogram()
          .Name("ibm_rpc_duration_seconds")
          .Help("RPC latency from receipt to status, by method")
          .Register(*registry_),
      gauges.Add({{"service", service_}}),
      db.Add({{"service", service_}, {"state", "open"}}),
      db.Add({{"service", service_}, {"state", "idle"}}),
      prometheus::BuildCounter()
          .Name("ibm_log_lines_dropped_total")
          .Help("Log lines dropped because stderr could not keep up")
          .Register(*registry_)
          .Add({{"service", service_}}),
  });
}

Metrics::~Metrics() = default;

absl::Status Metrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics endpoint ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  return absl::OkStatus();
}

int Metrics::port() const {
  if (exposer_ == nullptr) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::ObserveCall(absl::string_view method, absl::string_view code, double seconds) {
  const std::string m(method);
  families_->handled.Add({{"service", service_}, {"method", m}, {"code", std::string(code)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  families_->duration.Add({{"service", service_}, {"method", m}}, kBuckets).Observe(seconds);
}

void Metrics::SetQueued(int queued) { families_->queued.Set(queued); }

void Metrics::SetDbConnections(int open, int idle) {
  families_->db_open.Set(open);
  families_->db_idle.Set(idle);
}

void Metrics::SetLogLinesDropped(uint64_t total) {
  if (total > families_->log_dropped_seen) {
    families_->log_dropped.Increment(static_cast<double>(total - families_->log_dropped_seen));
    families_->log_dropped_seen = total;
  }
}

std::string Metrics::Render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace ibm::platform
