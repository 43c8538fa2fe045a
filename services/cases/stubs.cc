// Placeholders so that the service builds while its areas are written: every method of these
// services is UNIMPLEMENTED and their tables are empty lists until the area's own files
// replace them (each area deletes its lines here).
#include "cases/services.h"
#include "cases/store/tables.h"
#include "ibm/cases/v1/activities.grpc.pb.h"
#include "ibm/cases/v1/interventions.grpc.pb.h"
#include "ibm/cases/v1/metrics.grpc.pb.h"
#include "ibm/cases/v1/outcomes.grpc.pb.h"

namespace ibm::cases {}  // namespace ibm::cases
