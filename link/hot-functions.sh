#!/usr/bin/env bash
# Writes link/hot-functions.txt: the functions a session runs, as callgrind saw them in three runs
# against `certbench demo --serve`: the workbench from start to idle; the workbench sending three
# profiles over HTTP/2 and showing their answers; `certbench send` over HTTP/1.1. build.rs hands
# the list to the linker, which lays these functions out first, so the pages a session touches
# are few and together (idle RSS 14.3 -> 7.8 MB). Rerun it after a change of compiler, profile or
# dependencies, or large moves in the code; `cargo bench --bench startup` prints how many of the
# listed functions the binary still has. Needs valgrind, tmux, python3, nm and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in valgrind tmux python3 nm; do
  command -v "$tool" >/dev/null || { echo "hot-functions: $tool is needed" >&2; exit 1; }
done
cargo build --release --locked
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/certbench"
work="$(mktemp -d)"
session="hot-functions-$$"
server=""
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" demo --serve --port 0 >"$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q CERTBENCH_HOME= "$work/serve.out" && break; sleep 0.1; done
url="$(grep -o 'https://localhost:[0-9]*' "$work/serve.out" | head -1)"
home="$(sed -n 's/.*CERTBENCH_HOME=//p' "$work/serve.out")"
[ -n "$url" ] && [ -n "$home" ] || { echo "hot-functions: the demo server did not start:" >&2; cat "$work/serve.out" >&2; exit 1; }
cp -r profiles "$work/profiles"
sed -i "s#localhost:8443#${url#https://}#" "$work/profiles/vars.toml"
# A home the size of a user's: sorting 200 profiles and reading 40 keys made by openssl (with the
# key identifiers and constraints a CA puts in) run code that ten examples and two keys do not.
for i in $(seq -w 1 190); do
  printf 'name = "zz-%s"\nmethod = "GET"\nurl = "${base_url}/echo?n=%s"\ncredential = "k%s"\n' \
    "$i" "$i" "$(( 10#$i % 40 ))" >"$work/profiles/zz-$i.toml"
done
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=hot-ca \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
  for i in $(seq 0 39); do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=k$i" \
      -keyout "$work/k.key" -out "$work/k.csr" 2>/dev/null
    openssl x509 -req -in "$work/k.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 30 \
      -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:k%s.test\n' "$i") \
      -out "$work/k.pem" 2>/dev/null
    CERTBENCH_HOME="$home" "$bin" keys import "k$i" --cert "$work/k.pem" --key "$work/k.key" >/dev/null
  done
fi

grind="valgrind --tool=callgrind --demangle=no --dump-instr=no --log-file=$work/%p.log"
# Waits until the pane shows $1 (a fixed string), for up to 120 s: callgrind runs ~50x slower.
wait_for() {
  for _ in $(seq 1200); do
    tmux capture-pane -p -t "$session" | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  echo "hot-functions: '$1' never showed; the pane was:" >&2
  tmux capture-pane -p -t "$session" >&2
  exit 1
}
# Runs the workbench under callgrind into $1; the rest are steps: `key:K`, `wait:TEXT`, `idle:S`.
workbench() {
  local out="$1"
  shift
  tmux new-session -d -s "$session" -x 120 -y 40 \
    "CERTBENCH_HOME=$home $grind --callgrind-out-file=$out $bin --profiles $work/profiles; echo EXITED; sleep 60"
  wait_for "Enter edit"
  for step in "$@"; do
    case "$step" in
      key:*) tmux send-keys -t "$session" "${step#key:}" ;;
      wait:*) wait_for "${step#wait:}" ;;
      idle:*) sleep "${step#idle:}" ;;
    esac
  done
  tmux send-keys -t "$session" q
  wait_for EXITED
  tmux kill-session -t "$session"
}

# What runs after the first frame (the key line, the history list) belongs to idle too.
workbench "$work/1-idle.out" wait:"expires in" idle:5
workbench "$work/2-sends.out" key:C-r wait:expectations \
  key:Down key:Down key:Down key:Down key:Down key:Down key:Down key:C-r wait:requestId \
  key:Down key:C-r wait:'<order' key:PageDown
CERTBENCH_HOME="$home" $grind --callgrind-out-file="$work/3-cli.out" \
  "$bin" send echo-orders --http1.1 --profiles "$work/profiles" >/dev/null

nm --defined-only "$bin" >"$work/nm.txt"
python3 - "$work" >link/hot-functions.txt <<'PY'
import re, sys
work = sys.argv[1]
# Only functions: lld warns of names it cannot place, and data is laid out elsewhere.
text = {p[2] for p in (l.split() for l in open(f"{work}/nm.txt")) if len(p) == 3 and p[1] in "tTwW"}
# Each run's new functions together, sorted by name within the run: callgrind writes them in no
# fixed order, and sorted names keep a crate's functions side by side and the list's diffs small.
seen, order = set(), []
for run in ("1-idle", "2-sends", "3-cli"):
    new = set()
    for line in open(f"{work}/{run}.out", errors="replace"):
        m = re.match(r"^c?fn=\((\d+)\) (.+)$", line.rstrip("\n"))
        if m and m.group(2) in text and m.group(2) not in seen:
            new.add(m.group(2))
    seen |= new
    order += sorted(new)
    print(f"{run}: {len(order)} functions so far", file=sys.stderr)
print("\n".join(order))
PY
echo "link/hot-functions.txt: $(wc -l <link/hot-functions.txt) functions"
