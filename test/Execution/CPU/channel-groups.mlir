// Channels-last group norm (the channel axis innermost, a static channel
// count, an f32 compute type) runs as column slots: each channel's sums
// over H x W, merged per group, then a normalizing pass with each channel's
// group statistics (docs/cpu.md, "Channels-last group norm"). Every case is
// checked against the float64 reference:
// - 320 channels in 32 groups of 10, over the thread team in chunks and
//   channel parts, with 1 and 3 threads giving the same bits;
// - 1280 bf16 channels (two examples' sums fill the scratch buffer:
//   rounds of two examples, the last of one), gamma and beta in bf16;
// - 24 f16 channels in groups of 3 (a remainder of lanes at every width),
//   small enough for the calling thread, and |x| up to 6e4;
// - the Stable Diffusion resnet block's pattern: a per-(example, channel)
//   time embedding added before, the sum kept, SiLU after;
// - hard inputs: channels about 1e4 whose means differ within a group by
//   as much as their noise (the merge about the group's first pivot keeps
//   them exact), and a constant group (variance 0), groups at 1e15 and
//   1e-15, and one NaN (NaN in its group only), at both sizes;
// - a dynamic channel count: column slots up to 2730 channels, the row
//   kernel beyond (2752 channels), both checked.
// RUN: norm-run %s --function=gn_f32 --input=2x32x32x320xf32=random --input=320xf32=random --input=320xf32=random --check | FileCheck %s
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=gn_f32 --input=2x32x32x320xf32=random --input=320xf32=random --input=320xf32=random --output=@%t.t1.npy
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=gn_f32 --input=2x32x32x320xf32=random --input=320xf32=random --input=320xf32=random --output=@%t.t3.npy
// RUN: cmp %t.t1.npy %t.t3.npy
// RUN: norm-run %s --function=gn_bf16_rounds --input=3x8x8x1280xbf16=random --input=1280xbf16=random --input=1280xbf16=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_f16_small --input=3x16x16x24xf16=random --input=24xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_f16_small --input="3x16x16x24xf16=random(-60000,60000)" --input=24xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_temb_silu --input=2x16x16x64xf32=random --input=2x64xf32=random --input=64xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=gn_temb_silu --input=4x32x32x64xf32=random --input=4x64xf32=random --input=64xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: %python %S/Inputs/channel_groups.py %t.off.npy 2 32 32 320 32 offsets
// RUN: %python %S/Inputs/channel_groups.py %t.sp.npy 2 32 32 320 32 special
// RUN: %python %S/Inputs/channel_groups.py %t.off-small.npy 2 8 8 40 8 offsets
// RUN: %python %S/Inputs/channel_groups.py %t.sp-small.npy 2 8 8 40 8 special
// RUN: norm-run %s --function=gn_plain --input=@%t.off.npy --check | FileCheck %s
// RUN: norm-run %s --function=gn_plain --input=@%t.sp.npy --check | FileCheck %s
// RUN: norm-run %s --function=gn_plain8 --input=@%t.off-small.npy --check | FileCheck %s
// RUN: norm-run %s --function=gn_plain8 --input=@%t.sp-small.npy --check | FileCheck %s
// RUN: norm-run %s --function=gn_dynamic --input=@%t.sp.npy --check | FileCheck %s
// RUN: norm-run %s --function=gn_dynamic --input=@%t.off.npy --check | FileCheck %s
// RUN: norm-run %s --function=gn_dynamic --input=1x3x2x2752xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_dynamic --input=2x8x8x2720xf32=random --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: ok
// TWO: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
// (--check matches NaN against the reference's NaN: a NaN missing from
// the NaN's group or present in any other fails.)

func.func @gn_f32(%x: tensor<2x32x32x320xf32>, %g: tensor<320xf32>, %b: tensor<320xf32>) -> tensor<2x32x32x320xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<320xf32>) beta(%b : tensor<320xf32>) {channel_axis = 3, num_groups = 32} : tensor<2x32x32x320xf32> -> tensor<2x32x32x320xf32>
  return %y : tensor<2x32x32x320xf32>
}
func.func @gn_bf16_rounds(%x: tensor<3x8x8x1280xbf16>, %g: tensor<1280xbf16>, %b: tensor<1280xbf16>) -> tensor<3x8x8x1280xbf16> {
  %y = norm.group_norm %x gamma(%g : tensor<1280xbf16>) beta(%b : tensor<1280xbf16>) {channel_axis = 3, num_groups = 32} : tensor<3x8x8x1280xbf16> -> tensor<3x8x8x1280xbf16>
  return %y : tensor<3x8x8x1280xbf16>
}
func.func @gn_f16_small(%x: tensor<3x16x16x24xf16>, %g: tensor<24xf32>) -> tensor<3x16x16x24xf16> {
  %y = norm.group_norm %x gamma(%g : tensor<24xf32>) {channel_axis = 3, num_groups = 8} : tensor<3x16x16x24xf16> -> tensor<3x16x16x24xf16>
  return %y : tensor<3x16x16x24xf16>
}
func.func @gn_temb_silu(%x: tensor<?x?x?x64xf32>, %t: tensor<?x64xf32>, %g: tensor<64xf32>) -> (tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>) {
  %y, %h = norm.group_norm %x gamma(%g : tensor<64xf32>) prologue(%t : tensor<?x64xf32>) -> tensor<?x?x?x64xf32> {
  ^bb0(%a: f32, %c: f32):
    %0 = arith.addf %a, %c : f32
    norm.yield %0 : f32
  } epilogue {
  ^bb0(%v: f32):
    %n = arith.negf %v : f32
    %e = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %v, %d : f32
    norm.yield %s : f32
  } {channel_axis = 3, num_groups = 16, prologue_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3)>]} : tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %y, %h : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>
}
func.func @gn_plain(%x: tensor<2x32x32x320xf32>) -> tensor<2x32x32x320xf32> {
  %y = norm.group_norm %x {channel_axis = 3, num_groups = 32} : tensor<2x32x32x320xf32> -> tensor<2x32x32x320xf32>
  return %y : tensor<2x32x32x320xf32>
}
func.func @gn_plain8(%x: tensor<2x8x8x40xf32>) -> tensor<2x8x8x40xf32> {
  %y = norm.group_norm %x {channel_axis = 3, num_groups = 8} : tensor<2x8x8x40xf32> -> tensor<2x8x8x40xf32>
  return %y : tensor<2x8x8x40xf32>
}
func.func @gn_dynamic(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.group_norm %x {channel_axis = 3, num_groups = 32} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
