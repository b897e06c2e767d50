#include "fhir_resources.h"

namespace medgate::emr_fhir {
namespace {

using sdk::Value;

// The identifiers of the Patient a link's `other` names, as <prefix><member>:
// the Patient itself when the Bundle has it, else the reference's identifier.
bool add_linked_patient(const ResourceInput& in, const Element& other, std::string_view prefix, SubjectBuilder& to) {
  if (const Value* p = find_patient(in.resource, in.patients, other.text("reference"))) {
    IssueList own;  // reported with that Patient's own entry
    SubjectBuilder from(in.options);
    from.add_patient_identifiers(Element(p, "Patient", own), prefix);
    if (own.empty()) {
      to.append(std::move(from));
      return true;
    }
  }
  Element identifier = other.object("identifier");
  return identifier.present() && to.add_identifier(identifier, prefix);
}

}  // namespace

// Patient.link "replaces": this Patient absorbed the other, whose
// identifiers become prior_<member>. "replaced-by": the other absorbed this
// one, so the other's identifiers are the subject's and this Patient's are
// prior_<member>. The first such link whose other Patient is known counts;
// a link to a Patient the mapper cannot identify is ignored (the record is
// then a plain update).
void map_patient(const ResourceInput& in, MappedResource& out) {
  const Element& patient = in.resource;
  out.event_type = "update";
  out.occurred_at = in.last_updated;  // a Patient has no clinical time of its own
  SubjectBuilder other(in.options);
  std::string link;
  for (const Element& l : patient.objects("link")) {
    std::string type = l.text("type");
    if ((type == "replaces" || type == "replaced-by") &&
        add_linked_patient(in, l.object("other"), type == "replaces" ? "prior_" : "", other)) {
      link = std::move(type);
      break;
    }
  }
  if (!link.empty()) out.event_type = "merge";
  if (link == "replaced-by") out.subject.append(std::move(other));
  out.subject.add_patient_identifiers(patient, link == "replaced-by" ? "prior_" : "");
  if (link == "replaces") out.subject.append(std::move(other));
  out.subject.add_demographics(patient, out.patient);
}

}  // namespace medgate::emr_fhir
