#!/usr/bin/env bash
# Installs the Debian 12 packages imagemill builds, tests and runs with. Idempotent: when every
# package is already installed it touches nothing and needs no network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libopencv-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev sqlite3 libpq-dev libpqxx-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libcpp-httplib-dev libboost-dev libtbb-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libdeflate-dev libheif-dev libgif-dev
  libtesseract-dev tesseract-ocr-eng
  libgtest-dev libgmock-dev libgoogle-perftools-dev libtcmalloc-minimal4
  python3 python3-botocore awscli nodejs npm
)
# The benchmark suite (make bench): the Python + OpenCV baseline it compares against and the plot;
# the test suite runs its smoke version, so it needs them too. The text evaluation draws its pages
# with DejaVu fonts.
bench_packages=(python3-opencv python3-numpy python3-matplotlib fonts-dejavu-core)
# Packages the test suite alone needs (servers, independent clients): PostgreSQL for the
# many-machines backend; network namespaces and nftables for worker hosts and packet loss; a
# Slurm cluster, kubectl and systemd-analyze for the fleet launchers in deploy/; chromium, the
# real browser the console's test drives (through puppeteer-core, scripts/fetch-npm-tools.sh).
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql iproute2 nftables slurm-wlm munge kubernetes-client systemd python3-yaml
             python3-boto3 chromium "${bench_packages[@]}")
fi
# PostgreSQL for the many-machines benchmarks, perf for the profiles.
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(postgresql "${bench_packages[@]}" linux-perf)
fi
# Packages the fuzz targets need (clang with libFuzzer's runtime).
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  # npm may come from outside Debian (nodesource); a working command is enough.
  # kubectl may come from outside Debian too (a cloud SDK), and then owns /usr/bin/kubectl.
  if [[ "$p" == nodejs && -x "$(command -v node)" ]] || [[ "$p" == npm && -x "$(command -v npm)" ]] ||
     [[ "$p" == kubernetes-client && -x "$(command -v kubectl)" ]]; then
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
