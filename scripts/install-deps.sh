#!/usr/bin/env bash
# Installs the Debian 12 packages imagemill builds, tests and runs with. Idempotent: when every
# package is already installed it touches nothing and needs no network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libopencv-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev sqlite3 libpqxx-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libcpp-httplib-dev libtbb-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libdeflate-dev
  libgtest-dev libgmock-dev libgoogle-perftools-dev libtcmalloc-minimal4
  python3 python3-botocore awscli nodejs npm
)
# The benchmark suite (make bench): the Python + OpenCV baseline it compares against and the plot;
# the test suite runs its smoke version, so it needs them too.
bench_packages=(python3-opencv python3-numpy python3-matplotlib)
# Packages the test suite alone needs (servers, independent clients).
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql python3-boto3 "${bench_packages[@]}")
fi
# perf for the benchmark's profiles.
if [[ "${1:-}" == "--bench" ]]; then
  packages+=("${bench_packages[@]}" linux-perf)
fi
# Packages the fuzz targets need (clang with libFuzzer's runtime).
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  # npm may come from outside Debian (nodesource); a working command is enough.
  if [[ "$p" == nodejs && -x "$(command -v node)" ]] || [[ "$p" == npm && -x "$(command -v npm)" ]]; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "imagemill: installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
