/*===- runtime.h - The norm runtime's C API --------------------*- C -*-===*\
|*                                                                          *|
|* What a program that links norm's kernels calls besides the kernels.     *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef NORM_RUNTIME_H
#define NORM_RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the runtime's functions. */
typedef enum {
  NORM_OK = 0,
  NORM_INVALID_ARGUMENT = 1,
  /* CUDA kernels: no driver (libcuda.so.1) or no device. */
  NORM_NO_CUDA = 2,
  /* CUDA kernels: the driver reported an error (norm_cuda_error_message). */
  NORM_CUDA_ERROR = 3,
} norm_status;

/* CPU kernels run their parallel loops on an OpenMP team (LLVM's libomp).
 * At load time the runtime applies the environment variable
 * NORM_NUM_THREADS (a positive integer) if it is set. Results do not depend
 * on the number of threads: every statistic is computed by one thread in a
 * fixed order. */

/* Sets the number of threads of later kernel calls; n must be positive. */
norm_status norm_set_num_threads(int n);

/* Returns the number of threads kernel calls use. */
int norm_get_num_threads(void);

/* Returns the message of a status code (never NULL). */
const char *norm_status_string(norm_status status);

#ifdef __cplusplus
}
#endif

#endif /* NORM_RUNTIME_H */
