/*===- Threads.c - Thread count of the CPU kernels ------------------------===*/

#include "norm/runtime.h"

#include <errno.h>
#include <stdlib.h>

/* libomp's API; declared here so that building needs no omp.h. */
extern void omp_set_num_threads(int n);
extern int omp_get_max_threads(void);

norm_status norm_set_num_threads(int n) {
  if (n <= 0)
    return NORM_INVALID_ARGUMENT;
  omp_set_num_threads(n);
  return NORM_OK;
}

int norm_get_num_threads(void) { return omp_get_max_threads(); }

/* Applies NORM_NUM_THREADS when the runtime is loaded. A value that is not a
 * positive integer is ignored, as OpenMP ignores a bad OMP_NUM_THREADS. */
__attribute__((constructor)) static void applyEnvironment(void) {
  const char *text = getenv("NORM_NUM_THREADS");
  if (!text || !*text)
    return;
  char *end = NULL;
  errno = 0;
  long n = strtol(text, &end, 10);
  if (errno == 0 && *end == '\0' && n > 0 && n <= 4096)
    omp_set_num_threads((int)n);
}
