/* Calls the ahead-of-time compiled LayerNorm from C and checks it against a
 * float64 reference computed here, on random data with NaN-poisoned outputs.
 * Exits non-zero on any mismatch. */
#include "kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 12345;
static float uniform(void) { /* in [-1, 1) */
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (float)((state >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
}

static int check(const char *what, double got, double want, double tol) {
  if (fabs(got - want) <= tol * (1.0 + fabs(want)))
    return 0;
  fprintf(stderr, "%s: got %g, want %g\n", what, got, want);
  return 1;
}

int main(void) {
  const int64_t rows = 37, cols = 1031;
  float *x = malloc(sizeof(float) * rows * cols);
  float *y = malloc(sizeof(float) * rows * cols);
  float gamma[1031], beta[1031], mean[37], rstd[37];
  for (int64_t i = 0; i < rows * cols; ++i)
    x[i] = uniform() + 3.0f;
  for (int64_t j = 0; j < cols; ++j) {
    gamma[j] = uniform();
    beta[j] = uniform();
  }
  memset(y, 0xFF, sizeof(float) * rows * cols); /* NaN */
  memset(mean, 0xFF, sizeof(mean));
  memset(rstd, 0xFF, sizeof(rstd));

  if (layer_norm(x, rows, cols, gamma, cols, beta, cols, y, mean, rstd) !=
      NORM_OK) {
    fprintf(stderr, "layer_norm failed\n");
    return 1;
  }
  int errors = 0;
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0, v = 0;
    for (int64_t j = 0; j < cols; ++j)
      m += x[r * cols + j];
    m /= cols;
    for (int64_t j = 0; j < cols; ++j)
      v += (x[r * cols + j] - m) * (x[r * cols + j] - m);
    v /= cols;
    double inv = 1.0 / sqrt(v + 1e-5);
    errors += check("mean", mean[r], m, 1e-5);
    errors += check("rstd", rstd[r], inv, 1e-5);
    for (int64_t j = 0; j < cols; ++j)
      errors += check("y", y[r * cols + j],
                      (x[r * cols + j] - m) * inv * gamma[j] + beta[j], 1e-4);
  }

  /* Bad arguments get a status, not a crash. */
  if (layer_norm(NULL, rows, cols, gamma, cols, beta, cols, y, mean, rstd) !=
      NORM_INVALID_ARGUMENT)
    errors += 1, fprintf(stderr, "null input accepted\n");
  if (layer_norm(x, rows, cols, gamma, cols - 1, beta, cols, y, mean, rstd) !=
      NORM_INVALID_ARGUMENT)
    errors += 1, fprintf(stderr, "short gamma accepted\n");
  if (layer_norm(x, -1, cols, gamma, cols, beta, cols, y, mean, rstd) !=
      NORM_INVALID_ARGUMENT)
    errors += 1, fprintf(stderr, "negative size accepted\n");
  if (layer_norm(x, INT64_MAX / 2, cols, gamma, cols, beta, cols, y, mean,
                 rstd) != NORM_INVALID_ARGUMENT)
    errors += 1, fprintf(stderr, "overflowing size accepted\n");

  free(x);
  free(y);
  printf("C example: %s (%lld x %lld LayerNorm, %d mismatches)\n",
         errors ? "FAILED" : "ok", (long long)rows, (long long)cols, errors);
  return errors != 0;
}
