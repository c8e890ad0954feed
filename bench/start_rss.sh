#!/usr/bin/env bash
# start_rss.sh BINARY [ARGS...]: the process's resident memory when main() is entered (after the
# dynamic loader has mapped and relocated every library and run their constructors), in total and
# per mapped file, largest first. Needs gdb. docs/benchmarks.md compares builds with it.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BINARY [ARGS...]" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
gdb -q -batch -ex 'set breakpoint pending on' -ex 'break main' -ex run \
  -ex "python import gdb, shutil; shutil.copy(f'/proc/{gdb.selected_inferior().pid}/smaps', '$out')" \
  -ex kill --args "$@" >/dev/null 2>&1
[[ -s "$out" ]] || { echo "$0: gdb did not stop $1 at main" >&2; exit 1; }
python3 - "$out" <<'PY'
import collections, re, sys
rss, dirty = collections.Counter(), collections.Counter()
name = None
for line in open(sys.argv[1]):
    m = re.match(r'^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$', line)
    if m:
        name = (m.group(1) or '[anon]').split('/')[-1]
    elif line.startswith('Rss:'):
        rss[name] += int(line.split()[1])
    elif line.startswith('Private_Dirty:'):
        dirty[name] += int(line.split()[1])
print(f"resident at main: {sum(rss.values())} kB ({sum(dirty.values())} kB private dirty), "
      f"{sum(1 for n in rss if '.so' in n)} shared objects")
for n, kb in rss.most_common():
    print(f"{kb:7d} kB  {dirty[n]:6d} kB dirty  {n}")
PY
