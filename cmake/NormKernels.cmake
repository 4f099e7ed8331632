# norm_compile_kernels(<target> <mlir file> [norm-compile options...]):
# compiles the file with norm-compile into kernels.o and kernels.h in the
# current binary directory; <target> builds them. Link
# ${CMAKE_CURRENT_BINARY_DIR}/kernels.o as a source and add the directory to
# the include path.
function(norm_compile_kernels target mlir)
  set(dir ${CMAKE_CURRENT_BINARY_DIR})
  file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${mlir})
  add_custom_command(
    OUTPUT ${dir}/kernels.o ${dir}/kernels.h
    COMMAND norm-compile ${mlir} ${ARGN} -o ${dir}/kernels.o
            --header ${dir}/kernels.h
    DEPENDS norm-compile ${mlir}
    COMMENT "norm-compile ${name}")
  set_source_files_properties(${dir}/kernels.o PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_custom_target(${target} DEPENDS ${dir}/kernels.o ${dir}/kernels.h)
endfunction()
