/*===- Status.c - Messages of the runtime's status codes ------------------===*\
|* Compiled into both the CPU runtime and the CUDA launcher; weak, so that   *|
|* a program may link both.                                                  *|
\*===----------------------------------------------------------------------===*/

#include "norm/runtime.h"

__attribute__((weak)) const char *norm_status_string(norm_status status) {
  switch (status) {
  case NORM_OK:
    return "ok";
  case NORM_INVALID_ARGUMENT:
    return "invalid argument";
  case NORM_NO_CUDA:
    return "no CUDA driver/device";
  case NORM_CUDA_ERROR:
    return "CUDA driver error";
  }
  return "unknown status";
}
