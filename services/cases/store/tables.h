#pragma once

// The cases service's tables, by area; schema.cc puts them into its migrations. Times are
// integer microseconds since the Unix epoch (UTC); dates ISO text (YYYY-MM-DD); `version`
// counts updates and is the etag. Nested records the service never queries by (consent
// history, answers, transitions) are stored as serialized protobuf in a LONGBLOB.

#include <string>
#include <vector>

namespace ibm::cases::store {

std::vector<std::string> ClientTables();        // store/clients.cc
std::vector<std::string> ScreeningTables();     // store/screenings.cc
std::vector<std::string> CaseTables();          // store/cases.cc
std::vector<std::string> EventTables();         // store/events.cc
std::vector<std::string> InterventionTables();  // store/interventions.cc: sessions, contacts
std::vector<std::string> OutcomeTables();       // store/outcomes.cc: urine tests, WHOQOL-BREF
std::vector<std::string> ActivityTables();      // store/activities.cc: activities, tallies

}  // namespace ibm::cases::store
