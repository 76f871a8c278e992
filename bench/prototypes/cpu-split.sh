#!/usr/bin/env bash
# A measurement helper, not part of bench/run (issue 16; used for
# bench/results/2026-12-07-amd-epyc-2cpu-ffm-event-loop.md): each server's user and system CPU time
# per echoed message, from utime and stime in /proc/PID/stat over 5 s of load from
# `socketserver bench` (64-byte messages, 3 s warm-up), servers alternated round after round.
#
#   bench/prototypes/cpu-split.sh ROUNDS CONNECTIONS [--unpinned] NAME=COMMAND...
#
# COMMAND prints 'listening on tcp://127.0.0.1:PORT'; {java} is replaced by a JDK 25's java.
# Pinned by default: server on CPU 0, generator on CPU 1. Prints one table row per measurement:
# | name | messages/s | user µs/msg | system µs/msg | total µs/msg |
set -euo pipefail
REQUIRED_MAJOR=25
die() { printf 'cpu-split: %s\n' "$*" >&2; exit 2; }
ROUNDS=${1:?rounds}; CONNECTIONS=${2:?connections}; shift 2
SERVER_CPU=(taskset -c 0); LOAD_CPU=(taskset -c 1)
if [[ ${1:-} == --unpinned ]]; then SERVER_CPU=(); LOAD_CPU=(); shift; fi
ROOT=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=bench/jdk.sh
source "$ROOT/bench/jdk.sh"
JAVA="$(find_jdk)/bin/java"
JAR=$ROOT/socketserver-cli/target/socketserver.jar
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
for (( r = 1; r <= ROUNDS; r++ )); do
    for spec in "$@"; do
        name=${spec%%=*}; command=${spec#*=}; command=${command//\{java\}/$JAVA}
        "${SERVER_CPU[@]}" bash -c "exec $command" >"$WORK/server.log" 2>&1 &
        pid=$!
        port=""
        for _ in $(seq 300); do
            port=$(sed -n 's|.*listening on tcp://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$WORK/server.log" | head -n 1)
            [[ -n $port ]] && break
            sleep 0.1
        done
        [[ -n $port ]] || die "$name did not print its port"
        "${LOAD_CPU[@]}" "$JAVA" -jar "$JAR" bench --target "tcp://127.0.0.1:$port" --connections "$CONNECTIONS" \
            --size 64 --warmup 3s --duration 7s >"$WORK/load.txt" 2>&1 &
        load=$!
        sleep 4
        read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
        sleep 5
        read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$pid/stat")
        wait "$load"
        kill "$pid"; wait "$pid" 2>/dev/null || true
        rate=$(awk '/^messages\/s/ {gsub(",", "", $2); print $2}' "$WORK/load.txt")
        awk -v n="$name" -v r="$rate" -v u=$((u2 - u1)) -v s=$((s2 - s1)) -v hz="$HZ" 'BEGIN {
            m = r * 5; printf "| %s | %d | %.2f | %.2f | %.2f |\n", n, r, u / hz * 1e6 / m, s / hz * 1e6 / m, (u + s) / hz * 1e6 / m }'
    done
done
