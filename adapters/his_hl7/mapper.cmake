# The HL7 v2 -> profile mapping as a static library, so that the his_hl7
# plugin and its unit tests (tests/unit/his_hl7) share it. Included from this
# folder's CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/../profile_mapping/profile_mapping.cmake)  # medgate_profile_mapping

add_library(medgate_his_hl7_mapper STATIC
  ${CMAKE_CURRENT_LIST_DIR}/hl7_datetime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hl7_encounter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hl7_facets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hl7_profile_mapper.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hl7_segment_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hl7_subject.cpp
)
target_include_directories(medgate_his_hl7_mapper PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(medgate_his_hl7_mapper PUBLIC medgate::sdk medgate_profile_mapping)
set_target_properties(medgate_his_hl7_mapper PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
