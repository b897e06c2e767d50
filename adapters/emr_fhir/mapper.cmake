# The FHIR R4 -> profile mapping as a static library, so that the emr_fhir
# plugin (HTTP endpoint, poller), its unit tests (tests/unit/emr_fhir) and
# the fuzzer (tests/fuzz/fuzz_fhir.cpp) share it. Included from this folder's
# CMakeLists.txt and from the standalone fuzz build.
include(${CMAKE_CURRENT_LIST_DIR}/../profile_mapping/profile_mapping.cmake)  # medgate_profile_mapping

add_library(medgate_emr_fhir_mapper STATIC
  ${CMAKE_CURRENT_LIST_DIR}/fhir_bundle.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_clinical.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_datetime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_elements.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_encounter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_patient.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_profile_mapper.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fhir_subject.cpp
)
target_include_directories(medgate_emr_fhir_mapper PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(medgate_emr_fhir_mapper PUBLIC medgate::sdk medgate_profile_mapping)
set_target_properties(medgate_emr_fhir_mapper PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
