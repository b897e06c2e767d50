#include "hl7_facets.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "profile_codes.h"

namespace medgate::his_hl7 {
namespace {

using profile_mapping::icd10_code;
using profile_mapping::interpretation;
using profile_mapping::joined;
using sdk::Value;

// Limits of the input contract (gateway/pipeline/record_normalizer.cpp).
constexpr std::size_t kMaxDescription = 256, kMaxProcedureCode = 32, kMaxProcedureSystem = 32;
constexpr std::size_t kMaxObservationCode = 64, kMaxObservationSystem = 64, kMaxObservationValue = 256;
constexpr std::size_t kMaxUnit = 32, kMaxReferenceRange = 64, kMaxCodeWord = 64;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alnum(char c) {
  return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// An HL7 NM value: integers stay integers, so 152 is written 152 and not 152.0.
struct Number {
  bool integer = true;
  std::int64_t i = 0;
  double d = 0;

  double as_double() const { return integer ? static_cast<double>(i) : d; }
  Value value() const { return integer ? Value(i) : Value(d); }
};

// NM: an optional sign, digits and at most one decimal point.
std::optional<Number> hl7_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  std::size_t digits = 0, points = 0;
  for (char c : s) {
    if (is_digit(c))
      ++digits;
    else if (c == '.')
      ++points;
    else
      return std::nullopt;
  }
  if (digits == 0 || points > 1) return std::nullopt;
  Number n;
  if (points == 0 && digits <= 18) {
    std::from_chars(s.data(), s.data() + s.size(), n.i);
    if (negative) n.i = -n.i;
    return n;
  }
  std::string text(s);
  if (text.front() == '.') text.insert(0, "0");
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n.d);
  if (ec != std::errc() || !std::isfinite(n.d)) return std::nullopt;
  n.integer = false;
  if (negative) n.d = -n.d;
  return n;
}

// ---- DG1 ----------------------------------------------------------------------

// HL7 table 0053 "I10", "ICD10", "ICD-10-CN", GB/T 14396 (the Chinese ICD-10)
// ...; not ICD-10-PCS, which codes procedures. An empty system is taken as
// ICD-10 when the code has its shape.
bool is_icd10_system(const std::string& system) {
  std::string s;
  for (char c : upper(system))
    if (is_alnum(c)) s += c;
  if (s.empty()) return true;
  if (s.find("PCS") != std::string::npos || s == "I10P") return false;
  return s.starts_with("ICD10") || s.starts_with("I10") || s.find("14396") != std::string::npos;
}

// ^[a-z][a-z0-9_]{0,63}$ of the lowercased transaction code, else "other".
std::string charge_category(std::string code) {
  for (char& c : code)
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  bool word = !code.empty() && code.size() <= kMaxCodeWord && code[0] >= 'a' && code[0] <= 'z';
  for (char c : code) word = word && (is_digit(c) || (c >= 'a' && c <= 'z') || c == '_');
  return word ? code : "other";
}

Value note(const char* kind, std::string text, std::string_view written_at) {
  Value n = Value::object();
  n["kind"] = kind;
  n["text"] = std::move(text);
  if (!written_at.empty()) n["written_at"] = written_at;
  return n;
}

// OBX-5 by OBX-2 -> an observation value, or text for a note when it is
// free text. Encapsulated data (ED, RP) has no value here.
struct ObservationValue {
  Value value;       // null: none
  std::string text;  // for a note of kind result_text
};

ObservationValue observation_value(const SegmentAt& obx) {
  std::string type = obx.text(2);
  ObservationValue out;
  if (type == "ED" || type == "RP") return out;
  if (type == "TX" || type == "FT") {
    out.text = joined(obx.segment->repetition_texts(5, 1), "\n");
    return out;
  }
  std::string value;
  if (type == "NM") {
    value = obx.text(5);
    if (auto n = hl7_number(value)) {
      out.value = n->value();
      return out;
    }
  } else if (type == "SN") {  // comparator ^ number ^ separator/suffix ^ number: "<^0.5", "^1^:^128"
    std::string comparator = obx.text(5, 1), first = obx.text(5, 2), separator = obx.text(5, 3),
                second = obx.text(5, 4);
    auto n = comparator.empty() && separator.empty() && second.empty() ? hl7_number(first) : std::nullopt;
    if (n) {
      out.value = n->value();
      return out;
    }
    value = comparator + first + separator + second;
  } else if (type == "CE" || type == "CWE" || type == "CNE" || type == "CF") {  // the text, else the code
    std::vector<std::string> texts = obx.segment->repetition_texts(5, 2), codes = obx.segment->repetition_texts(5, 1);
    for (std::size_t i = 0; i < texts.size() && i < codes.size(); ++i)
      if (texts[i].empty()) texts[i] = codes[i];
    value = joined(texts, "; ");
  } else {
    value = joined(obx.segment->repetition_texts(5, 1), "; ");
  }
  if (characters(value) > kMaxObservationValue)
    out.text = std::move(value);
  else if (!value.empty())
    out.value = std::move(value);
  return out;
}

}  // namespace

Result map_diagnosis(const SegmentAt& dg1, const MappingOptions& options, ItemList& diagnoses, Notices& left_out) {
  std::string system = dg1.text(3, 3);
  const std::size_t system_field = system.empty() ? 2 : 3;
  if (system.empty()) system = dg1.text(2);
  const std::string raw_code = dg1.text(3, 1);
  if (raw_code.empty()) {
    left_out.push_back(dg1.failure(kRequiredFieldMissing, 3, "DG1-3.1 (diagnosis code) is empty: no diagnosis", 0, 1));
    return {};
  }
  if (!is_icd10_system(system)) {
    left_out.push_back(dg1.failure(kTableValueNotFound, system_field,
                                   dg1.name(system_field) + " names the code system '" + truncated(system, 40) +
                                       "', not ICD-10: the profile holds ICD-10 diagnoses only, this one is left out",
                                   0, system_field == 3 ? 3 : 0));
    return {};
  }
  std::optional<std::string> code = icd10_code(raw_code);
  if (!code) {
    left_out.push_back(dg1.failure(kDataTypeError, 3,
                                   "DG1-3.1 is not an ICD-10 code (A00, A00.0, E11.900x001): the diagnosis is left out",
                                   0, 1));
    return {};
  }
  Value d = Value::object();
  d["code"] = std::move(*code);
  d["system"] = "ICD-10";
  std::string priority = dg1.text(15);
  if (priority == "1")
    d["role"] = "primary";
  else if (hl7_number(priority) && priority != "0")  // 0: not ranked
    d["role"] = "secondary";
  put_text(d, "description", dg1.text(3, 2), kMaxDescription, dg1.text(4));
  if (auto e = put_timestamp({{&dg1, 5}}, options.default_utc_offset, "diagnosed_at", d); !e.ok()) return e;
  diagnoses.push_back(std::move(d));
  return {};
}

Result map_procedure(const SegmentAt& pr1, const MappingOptions& options, ItemList& procedures, Notices& left_out) {
  std::string code = pr1.text(3, 1);
  if (code.empty() || characters(code) > kMaxProcedureCode) {
    left_out.push_back(code.empty() ? pr1.failure(kRequiredFieldMissing, 3,
                                                  "PR1-3.1 (procedure code) is empty: the procedure is left out", 0, 1)
                                    : pr1.failure(kValueTooLong, 3,
                                                  "PR1-3.1 (procedure code) is over " +
                                                      std::to_string(kMaxProcedureCode) +
                                                      " characters: the procedure is left out",
                                                  0, 1));
    return {};
  }
  Value p = Value::object();
  p["code"] = std::move(code);
  std::string system = pr1.text(3, 3);
  if (system.empty()) system = pr1.text(2);
  if (!system.empty() && characters(system) <= kMaxProcedureSystem) p["system"] = std::move(system);
  put_text(p, "description", pr1.text(3, 2), kMaxDescription, pr1.text(4));
  if (auto e = put_timestamp({{&pr1, 5}}, options.default_utc_offset, "performed_at", p); !e.ok()) return e;
  procedures.push_back(std::move(p));
  return {};
}

Result map_observation(const SegmentAt& obx, const SegmentAt* obr, const MappingOptions& options,
                       ItemList& observations, ItemList& notes, Notices& left_out) {
  if (std::string status = obx.text(11); status == "D" || status == "W") return {};  // deleted, or wrong
  std::size_t first = obx.text(3, 1).empty() ? 4 : 1;  // the alternate code when there is no code
  std::string code = obx.text(3, first);
  if (code.empty() || characters(code) > kMaxObservationCode) {
    left_out.push_back(code.empty() ? obx.failure(kRequiredFieldMissing, 3,
                                                  "OBX-3 (observation identifier) has no code: the result is left out")
                                    : obx.failure(kValueTooLong, 3,
                                                  "OBX-3 (observation code) is over " +
                                                      std::to_string(kMaxObservationCode) +
                                                      " characters: the result is left out",
                                                  0, first));
    return {};
  }
  Value o = Value::object();
  o["code"] = std::move(code);
  std::string system = obx.text(3, first + 2);
  if (system == "LN") system = "LOINC";
  if (!system.empty() && characters(system) <= kMaxObservationSystem) o["system"] = std::move(system);
  put_text(o, "display", obx.text(3, first + 1), kMaxDescription);

  ObservationValue value = observation_value(obx);
  if (!value.value.is_null()) o["value"] = std::move(value.value);
  std::string unit = obx.text(6, 1);
  if (unit.empty()) unit = obx.text(6, 2);
  if (!unit.empty() && characters(unit) <= kMaxUnit) o["unit"] = std::move(unit);
  put_text(o, "reference_range", obx.text(7), kMaxReferenceRange);
  if (const char* flag = interpretation(obx.text(8))) o["interpretation"] = flag;

  if (auto e = put_timestamp({{&obx, 14}, {obr, 7}}, options.default_utc_offset, "observed_at", o); !e.ok()) return e;
  if (!value.text.empty()) notes.push_back(note("result_text", std::move(value.text), o.string_or("observed_at", "")));
  observations.push_back(std::move(o));
  return {};
}

void map_note(const SegmentAt& nte, const char* kind, ItemList& notes) {
  std::string text = joined(nte.segment->repetition_texts(3, 1), "\n");
  if (!text.empty()) notes.push_back(note(kind, std::move(text), {}));
}

Result map_charge(const SegmentAt& ft1, const MappingOptions& options, ItemList& charges, Notices& left_out) {
  std::string type = ft1.text(6);
  if (type == "PY" || type == "CO") return {};  // payments and co-payments: money in, not a charge or refund
  // The extended amount (CP: price & currency), else the unit amount times the quantity.
  std::size_t field = ft1.text(11, 1, 1).empty() ? 12 : 11;
  std::string amount_text = ft1.text(field, 1, 1);
  if (amount_text.empty()) {
    left_out.push_back(
        ft1.failure(kRequiredFieldMissing, 11, "FT1-11 and FT1-12 (amounts) are empty: the charge is left out"));
    return {};
  }
  std::string currency = upper(ft1.text(field, 1, 2));
  if (!currency.empty() && currency != "CNY" && currency != "RMB") {
    left_out.push_back(ft1.failure(kTableValueNotFound, field,
                                   ft1.name(field) + " is in '" + truncated(currency, 8) +
                                       "', not CNY: the profile holds CNY amounts only, the charge is left out",
                                   0, 1));
    return {};
  }
  std::optional<Number> amount = hl7_number(amount_text);
  if (!amount)
    return ft1.failure(kDataTypeError, field, ft1.name(field) + " (transaction amount) is not a number", 0, 0);
  if (field == 12) {
    std::string quantity_text = ft1.text(10);
    std::optional<Number> quantity = quantity_text.empty() ? Number{true, 1, 0} : hl7_number(quantity_text);
    if (!quantity) return ft1.failure(kDataTypeError, 10, "FT1-10 (transaction quantity) is not a number");
    std::int64_t product = 0;
    if (amount->integer && quantity->integer && !__builtin_mul_overflow(amount->i, quantity->i, &product))
      amount->i = product;
    else
      *amount = Number{false, 0, amount->as_double() * quantity->as_double()};
  }
  if (type == "CD") {  // a credit: a refund, negative whatever sign it was sent with
    amount->i = -std::abs(amount->i);
    amount->d = -std::fabs(amount->d);
  }
  Value c = Value::object();
  c["amount_cny"] = amount->value();
  if (std::string code = ft1.text(7, 1); !code.empty()) c["category"] = charge_category(std::move(code));
  if (auto e = put_timestamp({{&ft1, 4}, {&ft1, 5}}, options.default_utc_offset, "charged_at", c); !e.ok()) return e;
  charges.push_back(std::move(c));
  return {};
}

}  // namespace medgate::his_hl7
