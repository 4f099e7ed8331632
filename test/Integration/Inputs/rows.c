/* Row-range entry points: the rows computed in pieces, in any order, give
 * the same bits as the whole call; bad ranges are refused. */
#include "rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float uniform(void) { return (float)rand() / RAND_MAX * 2.0f - 1.0f; }

int main(void) {
  enum { N = 37, H = 300 };
  static float x[N * H], g[H], b[H], y[N * H], m[N], r[N], y2[N * H], m2[N],
      r2[N];
  for (int i = 0; i < N * H; ++i)
    x[i] = uniform();
  for (int i = 0; i < H; ++i) {
    g[i] = uniform();
    b[i] = uniform();
  }
  int failures = 0;
  if (layer_norm(x, N, H, g, H, b, H, y, m, r) != NORM_OK)
    return 1;
  for (int i = 0; i < N * H; ++i)
    y2[i] = NAN;
  for (int i = 0; i < N; ++i)
    m2[i] = r2[i] = NAN;
  /* Out of order, an empty piece, uneven pieces. */
  int cuts[][2] = {{20, 37}, {0, 1}, {5, 5}, {1, 20}};
  for (int c = 0; c < 4; ++c)
    if (layer_norm_rows(x, N, H, g, H, b, H, y2, m2, r2, cuts[c][0],
                        cuts[c][1]) != NORM_OK)
      ++failures;
  printf("layer_norm rows: %s\n", memcmp(y, y2, sizeof y) ||
                                          memcmp(m, m2, sizeof m) ||
                                          memcmp(r, r2, sizeof r)
                                      ? "DIFFER"
                                      : "same bits");
  printf("bad ranges refused: %d\n",
         layer_norm_rows(x, N, H, g, H, b, H, y2, m2, r2, -1, 2) ==
                 NORM_INVALID_ARGUMENT &&
             layer_norm_rows(x, N, H, g, H, b, H, y2, m2, r2, 3, 2) ==
                 NORM_INVALID_ARGUMENT &&
             layer_norm_rows(x, N, H, g, H, b, H, y2, m2, r2, 0, N + 1) ==
                 NORM_INVALID_ARGUMENT);

  /* Group norm: 4 images x 3 groups = 12 rows. */
  enum { B = 4, C = 12, S = 25 };
  static uint16_t gx[B * C * S], gg[C], gy[B * C * S], gy2[B * C * S];
  for (int i = 0; i < B * C * S; ++i)
    gx[i] = (uint16_t)(0x3f80 + rand() % 256); /* bf16 in [1, 2) */
  for (int i = 0; i < C; ++i)
    gg[i] = 0x3f80;
  if (group_norm(gx, B, gg, gy) != NORM_OK)
    return 1;
  memset(gy2, 0xff, sizeof gy2);
  for (int row = 11; row >= 0; row -= 4)
    if (group_norm_rows(gx, B, gg, gy2, row < 3 ? 0 : row - 3, row + 1) !=
        NORM_OK)
      ++failures;
  printf("group_norm rows: %s\n",
         memcmp(gy, gy2, sizeof gy) ? "DIFFER" : "same bits");

  /* Training batch norm, a channel per row: the running statistics and
   * the inverse standard deviation of each channel computed once. */
  enum { K = 6, L = 256 };
  static float bx[K * L], rm[K], rv[K], by[K * L], bm[K], br[K], bnm[K], bnv[K],
      by2[K * L], bm2[K], br2[K], bnm2[K], bnv2[K];
  for (int i = 0; i < K * L; ++i)
    bx[i] = uniform();
  for (int i = 0; i < K; ++i) {
    rm[i] = uniform();
    rv[i] = 1.0f + uniform() / 2;
  }
  if (batch_norm(bx, rm, rv, by, bm, br, bnm, bnv) != NORM_OK)
    return 1;
  memset(br2, 0xff, sizeof br2);
  memset(bnv2, 0xff, sizeof bnv2);
  if (batch_norm_rows(bx, rm, rv, by2, bm2, br2, bnm2, bnv2, 0, 2) != NORM_OK ||
      batch_norm_rows(bx, rm, rv, by2, bm2, br2, bnm2, bnv2, 2, K) != NORM_OK)
    ++failures;
  printf("batch_norm rows: %s\n",
         memcmp(by, by2, sizeof by) || memcmp(bm, bm2, sizeof bm) ||
                 memcmp(br, br2, sizeof br) || memcmp(bnm, bnm2, sizeof bnm) ||
                 memcmp(bnv, bnv2, sizeof bnv)
             ? "DIFFER"
             : "same bits");
  return failures;
}
