//===- onednn-bench.cpp - Time oneDNN's normalization primitives ----------===//
//
// A process of its own: Debian's oneDNN runs on GNU OpenMP, which must not
// share a process with LLVM's libomp (the two teams spin on the same cores).
// LayerNorm and BatchNorm (inference with global statistics, training);
// oneDNN 2.6 has no RMSNorm. Prints `unsupported` for what it cannot run.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "dnnl.hpp"

using namespace bench;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

int main(int argc, char **argv) {
  Case c;
  if (!parse(argc, argv, c))
    return 2;
  try {
    dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    dt type = c.dtype == "f32" ? dt::f32 : dt::bf16;
    int64_t w = c.elementBytes(), p = c.params();
    Buffer x(c.elements(), w), y(c.elements(), w), scale(p, 4), shift(p, 4),
        mean(p, 4), var(p, 4, true);
    dnnl::memory::dims dims(c.shape.begin(), c.shape.end());
    auto flags = dnnl::normalization_flags::use_scale |
                 dnnl::normalization_flags::use_shift;
    dnnl::memory::desc paramDesc({p}, dt::f32, tag::a);
    auto mem = [&](const dnnl::memory::desc &d, Buffer &b) {
      return dnnl::memory(d, engine, b.data);
    };
    if (c.kernel == "layer_norm") {
      dnnl::memory::desc md(dims, type, tag::ab);
      dnnl::layer_normalization_forward::desc d(
          dnnl::prop_kind::forward_inference, md, 1e-5f, flags);
      dnnl::layer_normalization_forward::primitive_desc pd(d, engine);
      dnnl::layer_normalization_forward prim(pd);
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC, mem(md, x)},
          {DNNL_ARG_DST, mem(md, y)},
          {DNNL_ARG_SCALE, mem(paramDesc, scale)},
          {DNNL_ARG_SHIFT, mem(paramDesc, shift)}};
      return timeAndReport(c, [&] {
        prim.execute(stream, args);
        stream.wait();
        return true;
      });
    }
    if (c.kernel.rfind("bn_", 0) == 0) {
      // oneDNN's dims are N, C, H, W whatever the layout in memory.
      if (c.nhwc())
        dims = {c.shape[0], c.shape[3], c.shape[1], c.shape[2]};
      dnnl::memory::desc md(dims, type, c.nhwc() ? tag::nhwc : tag::nchw);
      bool train = c.kernel.rfind("bn_train", 0) == 0;
      auto bnFlags =
          train ? flags : flags | dnnl::normalization_flags::use_global_stats;
      dnnl::batch_normalization_forward::desc d(
          train ? dnnl::prop_kind::forward_training
                : dnnl::prop_kind::forward_inference,
          md, 1e-5f, bnFlags);
      dnnl::batch_normalization_forward::primitive_desc pd(d, engine);
      dnnl::batch_normalization_forward prim(pd);
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC, mem(md, x)},
          {DNNL_ARG_DST, mem(md, y)},
          {DNNL_ARG_SCALE, mem(paramDesc, scale)},
          {DNNL_ARG_SHIFT, mem(paramDesc, shift)},
          {DNNL_ARG_MEAN, mem(paramDesc, mean)},
          {DNNL_ARG_VARIANCE, mem(paramDesc, var)}};
      return timeAndReport(c, [&] {
        prim.execute(stream, args);
        stream.wait();
        return true;
      });
    }
  } catch (const dnnl::error &e) {
    std::printf("unsupported (%s)\n", e.what());
    return 0;
  }
  std::printf("unsupported (no such primitive)\n");
  return 0;
}
