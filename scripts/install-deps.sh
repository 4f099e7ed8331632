#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test norm:
# LLVM/MLIR 22 (from Debian), clang-22 and lld-22, CMake, Ninja, ccache and
# GoogleTest; with --bench also oneDNN, with --bench or --integrations
# python3-venv (the benchmark's and the IREE sample's PyPI packages). Run as
# root it uses apt-get; otherwise it names the packages.
set -euo pipefail

packages=(libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22
          lld-22 libomp-22-dev libclang-rt-22-dev cmake ninja-build ccache
          libgtest-dev python3)
# `install-deps.sh --bench` adds what the benchmark compares against.
if [ "${1:-}" = "--bench" ]; then
  packages+=(libdnnl-dev python3-venv)
fi
if [ "${1:-}" = "--integrations" ]; then
  packages+=(python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
