/* The CUDA launcher's error paths, on any machine: bad arguments, then the
 * driver NORM_CUDA_DRIVER names (missing, or the toolkit's stub whose
 * cuInit fails). Prints one line per check. */
#include "norm/cuda.h"

#include <pthread.h>
#include <stdio.h>

static void *probe(void *arg) {
  *(norm_status *)arg = norm_cuda_available();
  return NULL;
}

int main(void) {
  static const unsigned char bytes[] = {0};
  static const norm_cuda_image image = {"sm_90", bytes, sizeof(bytes)};
  static norm_cuda_module module = {&image, 1, NULL};
  void *params[1] = {NULL};
  printf("null module: %s\n", norm_status_string(norm_cuda_launch(
                                  NULL, "k", 1, 1, 1, NULL, params)));
  printf("null kernel: %s\n", norm_status_string(norm_cuda_launch(
                                  &module, NULL, 1, 1, 1, NULL, params)));
  printf("empty grid: %s\n", norm_status_string(norm_cuda_launch(
                                 &module, "k", 0, 1, 1, NULL, params)));
  printf(
      "empty block: %s (%s)\n",
      norm_status_string(norm_cuda_launch(&module, "k", 1, 0, 1, NULL, params)),
      norm_cuda_error_message());
  /* The driver is loaded once, whichever thread comes first. */
  pthread_t threads[4];
  norm_status status[4];
  for (int i = 0; i < 4; ++i)
    pthread_create(&threads[i], NULL, probe, &status[i]);
  for (int i = 0; i < 4; ++i)
    pthread_join(threads[i], NULL);
  int same = 1;
  for (int i = 1; i < 4; ++i)
    same &= status[i] == status[0];
  printf("available: %s, same in every thread: %d\n",
         norm_status_string(status[0]), same);
  norm_status launched = norm_cuda_launch(&module, "k", 1, 1, 1, NULL, params);
  printf("launch: %s: %s\n", norm_status_string(launched),
         norm_cuda_error_message());
  return 0;
}
