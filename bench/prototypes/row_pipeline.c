/* Row-pipelined LayerNorm: a measurement, not part of the product.
 *
 * A LayerNorm row kernel reads each row twice (its statistics, then the
 * normalizing pass from cache) and writes it once. Out of cache, norm's
 * kernel (like this file's `plain`) reaches about 0.75 of a copy of the
 * same bytes on 2 threads: its statistics pass only reads, its
 * normalizing pass mostly writes. `piped` normalizes row i in the same
 * loop that sums row i + 1 (with a prefetch of row i + 1 1024 elements
 * ahead into L1), so that reads from memory and non-temporal writes run
 * together as in a copy; each row's sums are taken in the same order as in
 * `plain`, so the outputs are the same bits (checked below).
 *
 *   clang-22 -O2 -march=native -fopenmp bench/prototypes/row_pipeline.c \
 *     -o /tmp/row_pipeline -lm
 *   OMP_NUM_THREADS=2 OMP_PROC_BIND=true /tmp/row_pipeline 16384 7
 *
 * Eleventh session (AMD EPYC, AVX-512, 2 vCPUs; 16384x4096 f32), medians
 * of 7, three runs: 2 threads plain 12.8-13.3 ms, piped 10.7-11.0 ms, copy
 * 9.5-9.7 ms (0.74 -> 0.88 of copy); 1 thread plain 15.5-16.1 ms, piped
 * 15.0-15.5 ms, copy 10.6-11.6 ms. Needs AVX-512. */
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 4096 /* row length (f32) */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* One-pass sums about the row's first element, four accumulators each. */
typedef struct {
  __m512 p, s1[4], s2[4];
} Sums;

static inline void sumsInit(Sums *s, const float *x) {
  s->p = _mm512_set1_ps(x[0]);
  for (int k = 0; k < 4; k++)
    s->s1[k] = s->s2[k] = _mm512_setzero_ps();
}

static inline void sumsAdd(Sums *s, const float *x, int k) {
  __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x), s->p);
  s->s1[k] = _mm512_add_ps(s->s1[k], d);
  s->s2[k] = _mm512_fmadd_ps(d, d, s->s2[k]);
}

static inline void sumsFinish(const Sums *s, const float *x, float *mean,
                              float *rstd) {
  float a = _mm512_reduce_add_ps(_mm512_add_ps(
      _mm512_add_ps(s->s1[0], s->s1[1]), _mm512_add_ps(s->s1[2], s->s1[3])));
  float b = _mm512_reduce_add_ps(_mm512_add_ps(
      _mm512_add_ps(s->s2[0], s->s2[1]), _mm512_add_ps(s->s2[2], s->s2[3])));
  float shift = a / N;
  *mean = x[0] + shift;
  *rstd = 1.0f / sqrtf((b - a * shift) / N + 1e-5f);
}

static inline void normalize16(const float *x, float *y, const float *g,
                               const float *b, __m512 mean, __m512 rstd) {
  __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x), mean), rstd);
  _mm512_stream_ps(y,
                   _mm512_fmadd_ps(v, _mm512_loadu_ps(g), _mm512_loadu_ps(b)));
}

static void plain(const float *x, float *y, const float *g, const float *b,
                  long rows) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < rows; i++) {
    const float *xi = x + i * N;
    Sums s;
    sumsInit(&s, xi);
    for (int j = 0; j < N; j += 64)
      for (int k = 0; k < 4; k++)
        sumsAdd(&s, xi + j + 16 * k, k);
    float m, r;
    sumsFinish(&s, xi, &m, &r);
    for (int j = 0; j < N; j += 16)
      normalize16(xi + j, y + i * N + j, g + j, b + j, _mm512_set1_ps(m),
                  _mm512_set1_ps(r));
  }
}

static void piped(const float *x, float *y, const float *g, const float *b,
                  long rows) {
#pragma omp parallel
  {
    int t = omp_get_thread_num(), threads = omp_get_num_threads();
    long lo = rows * t / threads, hi = rows * (t + 1) / threads;
    float m = 0, r = 0;
    if (lo < hi) {
      Sums s;
      sumsInit(&s, x + lo * N);
      for (int j = 0; j < N; j += 64)
        for (int k = 0; k < 4; k++)
          sumsAdd(&s, x + lo * N + j + 16 * k, k);
      sumsFinish(&s, x + lo * N, &m, &r);
    }
    for (long i = lo; i < hi; i++) {
      const float *xa = x + i * N, *xb = xa + N;
      float *ya = y + i * N;
      __m512 mm = _mm512_set1_ps(m), rr = _mm512_set1_ps(r);
      if (i + 1 == hi) {
        for (int j = 0; j < N; j += 16)
          normalize16(xa + j, ya + j, g + j, b + j, mm, rr);
        break;
      }
      Sums s;
      sumsInit(&s, xb);
      for (int j = 0; j < N; j += 64) {
        for (int q = 0; q < 4; q++)
          _mm_prefetch((const char *)(xb + j + 1024 + 16 * q), _MM_HINT_T0);
        for (int k = 0; k < 4; k++) {
          sumsAdd(&s, xb + j + 16 * k, k);
          normalize16(xa + j + 16 * k, ya + j + 16 * k, g + j + 16 * k,
                      b + j + 16 * k, mm, rr);
        }
      }
      sumsFinish(&s, xb, &m, &r);
    }
  }
}

static void copy(const float *x, float *y, long rows) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < rows; i++)
    for (int j = 0; j < N; j += 16)
      _mm512_stream_ps(y + i * N + j, _mm512_loadu_ps(x + i * N + j));
}

static int byValue(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  long rows = argc > 1 ? atol(argv[1]) : 16384;
  int reps = argc > 2 ? atoi(argv[2]) : 7;
  if (rows < 1 || reps < 1 || reps > 100) {
    fprintf(stderr, "usage: row_pipeline [ROWS] [REPS <= 100]\n");
    return 1;
  }
  size_t bytes = (size_t)rows * N * sizeof(float);
  float *x = aligned_alloc(64, bytes), *y = aligned_alloc(64, bytes),
        *y2 = aligned_alloc(64, bytes), *g = aligned_alloc(64, N * 4),
        *b = aligned_alloc(64, N * 4);
  if (!x || !y || !y2 || !g || !b) {
    fprintf(stderr, "row_pipeline: out of memory\n");
    return 1;
  }
  srand(1);
  for (size_t i = 0; i < (size_t)rows * N; i++)
    x[i] = (float)(rand() % 1000) / 500.0f - 1;
  for (int j = 0; j < N; j++) {
    g[j] = 1 + 0.001f * j;
    b[j] = 0.01f * (j % 7);
  }
  memset(y, 0, bytes);
  memset(y2, 0, bytes);
  double t[3][100];
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    plain(x, y, g, b, rows);
    double t1 = now();
    piped(x, y2, g, b, rows);
    double t2 = now();
    copy(x, y, rows);
    double t3 = now();
    t[0][r] = t1 - t0, t[1][r] = t2 - t1, t[2][r] = t3 - t2;
  }
  for (int k = 0; k < 3; k++)
    qsort(t[k], reps, sizeof(double), byValue);
  plain(x, y, g, b, rows);
  printf("%ldx%d f32, %d threads, medians of %d: plain %.3f ms, piped %.3f "
         "ms, copy %.3f ms; piped == plain bit for bit: %s\n",
         rows, N, omp_get_max_threads(), reps, t[0][reps / 2] * 1e3,
         t[1][reps / 2] * 1e3, t[2][reps / 2] * 1e3,
         memcmp(y, y2, bytes) == 0 ? "yes" : "NO");
  return memcmp(y, y2, bytes) == 0 ? 0 : 1;
}
