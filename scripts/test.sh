#!/usr/bin/env bash
# The whole test suite: a release build runs every test (unit and end-to-end), then an
# AddressSanitizer+UBSan build runs the unit tests again, and a ThreadSanitizer build runs the
# engine's scheduler tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build-test}
asan=${2:-build-asan}
jobs=$(nproc)

scripts/fetch-samples.sh

# The unit tests run as shards, a few processes each running a share of them, not a process per
# test (IMAGEMILL_TEST_SHARDS in CMakeLists.txt); a failing shard prints its failed tests.
shards=$((jobs * 2))
# Each build is a unity build (CMakeLists.txt): about half the compile time of one object a source.
unity=-DCMAKE_UNITY_BUILD=ON
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIMAGEMILL_TEST_SHARDS=$shards $unity >/dev/null
# The benchmarks too: the benchmark suite's smoke test runs them.
cmake --build "$build" -j"$jobs" --target all benchmarks
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 1500)

cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DIMAGEMILL_SANITIZE=ON \
  -DIMAGEMILL_TEST_SHARDS=$shards $unity >/dev/null
cmake --build "$asan" -j"$jobs" --target imagemill_tests imagemill
(cd "$asan" && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$top/tests/lsan.supp" ctest --output-on-failure -j"$jobs" -LE e2e --timeout 1500)
tsan=${3:-build-tsan}
cmake -S . -B "$tsan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMAGEMILL_TSAN=ON $unity >/dev/null
cmake --build "$tsan" -j"$jobs"
(cd "$tsan" && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j"$jobs" --timeout 600)
echo "make test: all tests passed"
