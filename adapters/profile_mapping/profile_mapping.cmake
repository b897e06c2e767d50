# Pieces the source mappers share (his_hl7, emr_fhir): UTF-8 text, names and
# addresses, RFC 3339 date-times, ICD-10 codes and result flags, and the
# `subject` member list. A static library with no plugin of its own (this
# folder has no CMakeLists.txt, so adapters/CMakeLists.txt does not take it
# for a plugin); each mapper.cmake includes this file, which defines the
# target once.
if(NOT TARGET medgate_profile_mapping)
  add_library(medgate_profile_mapping STATIC
    ${CMAKE_CURRENT_LIST_DIR}/profile_codes.cpp
    ${CMAKE_CURRENT_LIST_DIR}/profile_datetime.cpp
    ${CMAKE_CURRENT_LIST_DIR}/profile_text.cpp
    ${CMAKE_CURRENT_LIST_DIR}/subject_members.cpp
  )
  target_include_directories(medgate_profile_mapping PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(medgate_profile_mapping PUBLIC medgate::sdk)
  set_target_properties(medgate_profile_mapping PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endif()
