// Training batch norm returning the inverse standard deviation with running
// statistics, dynamic shapes: the case that once took a scratch buffer from
// malloc (for aot-embedded.test).
func.func @bn_train(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %br, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<?xf32>, tensor<?xf32>) {stats = #norm.stats<mean_rstd>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %br, %rm, %rv : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
