/*===- cuda.h - The launcher of norm's CUDA kernels ------------*- C -*-===*\
|*                                                                          *|
|* Kernels compiled by `norm-compile --target=cuda` call this launcher. It  *|
|* loads the CUDA driver with dlopen("libcuda.so.1") at the first launch,   *|
|* so programs build and run on machines without one (calls then return    *|
|* NORM_NO_CUDA). It loads each object's device code once (a context-      *|
|* independent CUlibrary), launches on the caller's stream, allocates no    *|
|* device memory, never synchronizes, and is safe to call from several      *|
|* threads. NORM_CUDA_DRIVER, if set, names the driver library to load.    *|
|* See docs/gpu.md.                                                         *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef NORM_CUDA_H
#define NORM_CUDA_H

#include "norm/runtime.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One compiled image of a kernel object: a cubin, PTX or fatbin for `chip`
 * (sm_90, ...). */
typedef struct {
  const char *chip;
  const void *data;
  size_t size;
} norm_cuda_image;

/* The launcher's record of one kernel it has looked up (zero until then). */
typedef struct {
  void *kernel; /* the CUkernel */
  int ready;    /* set once kernel and name are written */
  char name[52];
} norm_cuda_kernel_slot;

/* The device code of one kernel function, as norm-compile emits it. An
 * object file and the launcher must come from the same norm version. */
typedef struct {
  const norm_cuda_image *images;
  int count;
  void *library; /* the loaded CUlibrary, set by the first launch */
  /* The kernels launched so far (a function has a vector and a scalar
   * one), so that later launches skip the driver's lookup by name. */
  norm_cuda_kernel_slot kernels[2];
} norm_cuda_module;

/* Launches `kernel` of `module` with the given grid and block on `stream`
 * (a CUstream or cudaStream_t; NULL is the legacy default stream).
 * `params` points at each kernel argument, as for cuLaunchKernel. Returns
 * NORM_NO_CUDA without a driver or device, NORM_CUDA_ERROR when the driver
 * fails (norm_cuda_error_message() says why). */
norm_status norm_cuda_launch(norm_cuda_module *module, const char *kernel,
                             unsigned grid_x, unsigned block_x,
                             unsigned block_y, void *stream, void **params);

/* Whether a driver and a device are usable: NORM_OK or NORM_NO_CUDA. */
norm_status norm_cuda_available(void);

/* The message of the calling thread's last CUDA failure ("" if none). */
const char *norm_cuda_error_message(void);

#ifdef __cplusplus
}
#endif

#endif /* NORM_CUDA_H */
