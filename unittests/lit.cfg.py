# Runs the GoogleTest binaries of norm under lit, one test per TEST().
import os

import lit.formats

config.name = "NORM-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.norm_obj_root, "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.environment["ASAN_OPTIONS"] = "allow_user_poisoning=0"
