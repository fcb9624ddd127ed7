# llama.cpp as a static library built inside Parley's tree (add_subdirectory), CPU backend by
# default. Its objects live in the same build folder, so rebuilding Parley reuses them; ccache
# (when installed) also keeps them across fresh build folders.
set(PARLEY_LLAMA_DIR "${PROJECT_SOURCE_DIR}/third_party/llama.cpp" CACHE PATH "llama.cpp checkout")
if(NOT EXISTS "${PARLEY_LLAMA_DIR}/include/llama.h")
  message(FATAL_ERROR "llama.cpp not found at ${PARLEY_LLAMA_DIR}; run scripts/setup")
endif()

set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_TOOLS OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_SERVER OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_APP OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_COMMON OFF CACHE BOOL "" FORCE)
set(LLAMA_OPENSSL OFF CACHE BOOL "" FORCE)
set(LLAMA_ALL_WARNINGS OFF CACHE BOOL "" FORCE)
set(GGML_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(GGML_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
set(GGML_CUDA ${PARLEY_CUDA} CACHE BOOL "" FORCE)
if(PARLEY_CUDA)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  # ggml defaults to the architectures of the GPUs it can see; a build machine without a GPU
  # (CI, a container build) gets a fixed list of current architectures instead.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    execute_process(COMMAND nvidia-smi -L RESULT_VARIABLE parley_smi OUTPUT_QUIET ERROR_QUIET)
    if(NOT parley_smi EQUAL 0)
      set(CMAKE_CUDA_ARCHITECTURES "75;80;86;89;90" CACHE STRING "CUDA architectures")
    endif()
  endif()
endif()

add_subdirectory("${PARLEY_LLAMA_DIR}" "${CMAKE_BINARY_DIR}/llama.cpp" EXCLUDE_FROM_ALL SYSTEM)

# llama.cpp's Jinja engine (common/jinja) for chat templates, without the rest of `common`. It
# marks which output came from user input, so that text is tokenised without special tokens.
set(PARLEY_LLAMA_COMMON "${PARLEY_LLAMA_DIR}/common")
add_library(parley_llama_jinja STATIC
  ${PARLEY_LLAMA_COMMON}/jinja/lexer.cpp ${PARLEY_LLAMA_COMMON}/jinja/parser.cpp
  ${PARLEY_LLAMA_COMMON}/jinja/runtime.cpp ${PARLEY_LLAMA_COMMON}/jinja/value.cpp
  ${PARLEY_LLAMA_COMMON}/jinja/string.cpp ${PARLEY_LLAMA_COMMON}/jinja/caps.cpp
  ${PARLEY_LLAMA_COMMON}/json.cpp ${PARLEY_LLAMA_COMMON}/unicode.cpp)
# The vendored nlohmann (its own ABI namespace) must win over the system copy for these files.
target_include_directories(parley_llama_jinja BEFORE PRIVATE ${PARLEY_LLAMA_DIR}/vendor)
target_include_directories(parley_llama_jinja SYSTEM PUBLIC ${PARLEY_LLAMA_COMMON}
                           PRIVATE ${PARLEY_LLAMA_DIR}/src)
target_link_libraries(parley_llama_jinja PUBLIC llama ggml)
set_target_properties(parley_llama_jinja PROPERTIES CXX_STANDARD 17)
