// An empty tensor in and out (found by fuzz-normRunArgs: the result's
// buffer may be null, which memcpy must not be given even for 0 bytes).
// RUN: norm-run %s --input=0x8xbf16=random --check | FileCheck %s
// CHECK: result[0]: tensor<0x8xbf16> []
// CHECK: check result[0]: {{.*}}: ok
func.func @rms(%x: tensor<?x8xbf16>) -> tensor<?x8xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x8xbf16> -> tensor<?x8xbf16>
  return %y : tensor<?x8xbf16>
}
