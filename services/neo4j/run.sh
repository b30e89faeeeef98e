#!/usr/bin/env bash
# Start, stop and build the Neo4j 5.26 test server (Neo4jServer.java) without Docker.
#
#   run.sh build                 compile and copy the jars to target/lib (once; cached)
#   run.sh start [--port N] [--home DIR] [--timeout S]   start in the background, wait for READY
#   run.sh stop  [--port N]      SIGTERM (clean shutdown), SIGKILL after 30 s
#   run.sh status [--port N]
#   run.sh admin ARGS...         neo4j-admin (e.g. database import full) from the same jars
#
# Environment: PAPERKG_NEO4J_PORT (7687), PAPERKG_NEO4J_HOME (database home; default
# target/data, kept between runs), PAPERKG_NEO4J_RUN (pid and log files; default target/run),
# PAPERKG_NEO4J_HEAP (1g) and PAPERKG_NEO4J_PAGECACHE_MB (256; with 512m and 64 MB four pushes
# of 10,000 papers made 94 GC pauses, 5.6 s, against 45, 4.1 s). Java 17 is used when the
# default java is newer: Neo4j 5.26 runs on 17 and 21 only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PORT="${PAPERKG_NEO4J_PORT:-7687}"
HOME_DIR="${PAPERKG_NEO4J_HOME:-$HERE/target/data}"
RUN_DIR="${PAPERKG_NEO4J_RUN:-$HERE/target/run}"
HEAP="${PAPERKG_NEO4J_HEAP:-1g}"
PAGECACHE_MB="${PAPERKG_NEO4J_PAGECACHE_MB:-256}"
TIMEOUT=180
JAVA17=/usr/lib/jvm/java-17-openjdk-amd64

die() { echo "neo4j: $*" >&2; exit 1; }

java_major() {  # major version of the java binary $1 (17, 21, 25...)
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

pick_java() {
    local java major
    java="$(command -v java || true)"
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then java="$JAVA_HOME/bin/java"; fi
    major="$( [[ -n "$java" ]] && java_major "$java" || echo 0)"
    if [[ "$major" != 17 && "$major" != 21 && -x "$JAVA17/bin/java" ]]; then
        java="$JAVA17/bin/java"
    fi
    [[ -n "$java" ]] || die "no java found; install openjdk-17-jre-headless"
    echo "$java"
}

build() {
    local stamp="$HERE/target/.built"
    if [[ -f "$stamp" && "$stamp" -nt "$HERE/pom.xml" && \
          "$stamp" -nt "$HERE/src/main/java/paperkg/Neo4jServer.java" && -d "$HERE/target/lib" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "mvn not found; install maven"
    local java; java="$(pick_java)"
    export JAVA_HOME; JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")"
    echo "neo4j: building the server (first time downloads Neo4j from Maven Central)" >&2
    # offline first: nothing to download when ~/.m2 already holds every artifact
    if ! mvn -B -q -o -f "$HERE/pom.xml" package -DskipTests >/dev/null 2>&1; then
        mvn -B -q -f "$HERE/pom.xml" package -DskipTests >&2 || die "maven build failed"
    fi
    touch "$stamp"
}

classpath() { echo "$HERE/target/classes:$HERE/target/lib/*"; }

pid_file() { echo "$RUN_DIR/neo4j-$PORT.pid"; }

running_pid() {
    local f; f="$(pid_file)"
    [[ -f "$f" ]] || return 1
    local pid; pid="$(cat "$f")"
    # a killed server nobody has reaped yet is a zombie: kill -0 still succeeds on it
    if kill -0 "$pid" 2>/dev/null && [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z* ]]; then
        echo "$pid"; return 0
    fi
    rm -f "$f"; return 1
}

start() {
    build
    mkdir -p "$RUN_DIR"
    if pid="$(running_pid)"; then echo "neo4j: already running (pid $pid) on port $PORT"; return 0; fi
    local log="$RUN_DIR/neo4j-$PORT.log" java
    java="$(pick_java)"
    : > "$log"
    # setsid: the server outlives this script and its process group (make, pytest)
    setsid "$java" "-Xmx$HEAP" -XX:+UseSerialGC -cp "$(classpath)" paperkg.Neo4jServer \
        --port "$PORT" --home "$HOME_DIR" --pagecache-mb "$PAGECACHE_MB" >"$log" 2>&1 < /dev/null &
    local pid=$!
    echo "$pid" > "$(pid_file)"
    local waited=0
    while ! grep -q '^READY ' "$log"; do
        if ! running_pid >/dev/null; then
            tail -n 30 "$log" >&2
            die "server exited before it was ready (log: $log)"
        fi
        if (( waited >= TIMEOUT * 5 )); then
            kill -TERM "$pid" 2>/dev/null || true
            die "server not ready after ${TIMEOUT}s (log: $log)"
        fi
        sleep 0.2; waited=$((waited + 1))
    done
    grep '^READY ' "$log"
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then echo "neo4j: not running on port $PORT"; return 0; fi
    kill -TERM "$pid"
    for _ in $(seq 150); do running_pid >/dev/null || break; sleep 0.2; done
    if running_pid >/dev/null; then kill -KILL "$pid"; echo "neo4j: killed $pid" >&2; fi
    rm -f "$(pid_file)"
    echo "neo4j: stopped (pid $pid)"
}

admin() {
    build
    "$(pick_java)" "-Xmx$HEAP" -cp "$(classpath)" org.neo4j.cli.AdminTool "$@"
}

cmd="${1:-}"; shift || true
if [[ "$cmd" != admin ]]; then
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --port) PORT="$2"; shift 2 ;;
            --home) HOME_DIR="$2"; shift 2 ;;
            --timeout) TIMEOUT="$2"; shift 2 ;;
            *) die "unknown argument $1" ;;
        esac
    done
fi
case "$cmd" in
    build) build ;;
    start) start ;;
    stop) stop ;;
    status) if pid="$(running_pid)"; then echo "running (pid $pid) on port $PORT"; else echo "not running"; exit 3; fi ;;
    admin) admin "$@" ;;
    *) die "usage: run.sh build|start|stop|status|admin [--port N] [--home DIR]" ;;
esac
