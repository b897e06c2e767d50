# medgate_add_plugin(NAME [NO_INSTALL] SOURCES...)
# Builds a medgate plugin: a MODULE library NAME.so with hidden symbols (only
# the two Boost.DLL entry points are exported), linked to medgate::sdk, and
# installed where medgated looks: PREFIX/lib/medgate/plugins.
function(medgate_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "" "" ${ARGN})
  add_library(${name} MODULE ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE medgate::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    INSTALL_RPATH "$ORIGIN/../.."
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON)
  if(DEFINED MEDGATE_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${MEDGATE_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION lib/medgate/plugins)
  endif()
endfunction()

# medgate_add_plugin_test(NAME PLUGIN SOURCES...)
# A test program for the plugin target PLUGIN, written with the SDK's test kit
# (<medgate/testkit/...>, no test framework needed): it is compiled with
# MEDGATE_PLUGIN_PATH, the built plugin's path, and registered with ctest.
function(medgate_add_plugin_test name plugin)
  find_package(Boost REQUIRED COMPONENTS filesystem)  # Boost.DLL needs it
  find_package(Threads REQUIRED)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE medgate::sdk Boost::filesystem Threads::Threads ${CMAKE_DL_LIBS})
  target_compile_definitions(${name} PRIVATE MEDGATE_PLUGIN_PATH="$<TARGET_FILE:${plugin}>")
  set_target_properties(${name} PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON)
  add_dependencies(${name} ${plugin})
  add_test(NAME ${name} COMMAND ${name})
endfunction()
