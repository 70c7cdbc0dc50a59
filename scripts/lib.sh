# What the test runners share; sourced, never run. In a runner:
#
#     . "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib.sh"   # (adjust ../.. to the runner's depth)
#     lx_init "${1:-debug}"
#
# lx_init PROFILE    sets LX_ROOT (the repository), LX_PROFILE (debug or release), LX_TARGET (cargo's
#                    target directory: CARGO_TARGET_DIR or LX_ROOT/target), LX_LIB (LX_TARGET/PROFILE:
#                    libleanix.so, libleanix.a, lx-sandbox, lx) and LX_TMP (a scratch directory of this
#                    run), and installs the EXIT trap that stops the sandboxes this shell started and
#                    removes LX_TMP. Runners add their own clean-up with lx_at_exit, never with trap.
# lx_paths PROFILE   the variables alone, without LX_TMP and the trap (for a script that ends in exec).
# lx_link_soname [DIR]
#                    points DIR/libleanix.so.0 (the soname) at DIR/libleanix.so (DIR: LX_LIB), so that
#                    programs linked with -L DIR -lleanix -Wl,-rpath,DIR run from the build tree.
# start_sandbox NAME [lx-sandbox flags...]
#                    starts `lx-sandbox --port 0 FLAGS` (the binary LX_SANDBOX_BIN, else LX_LIB's)
#                    and sets NAME_URL and NAME_PID, and, when the flags name no --api-token,
#                    NAME_TOKEN and NAME_VIEWER_TOKEN (what it prints).
#                    Its stdin is a pipe this shell holds: if the shell dies, even by SIGKILL, the
#                    sandbox reads end of input and exits.
# stop_sandbox NAME  stops that sandbox and waits for it.
# lx_ffi_out_dir     builds leanix-ffi (debug) and prints its build script's OUT_DIR (the header).
# lx_rand            prints 32 random letters and digits (API tokens of a run).
#
# Safe when several copies run at once: ports are chosen by the kernel, scratch files live in
# LX_TMP, and the soname link is replaced atomically. Nothing here sleeps.

LX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
declare -gA _lx_sandbox_pids=() _lx_sandbox_fds=()
_lx_at_exit=()

lx_paths() {
  LX_PROFILE=${1:-debug}
  case $LX_PROFILE in
    debug | release) ;;
    *) echo "unknown profile '$LX_PROFILE' (debug or release)" >&2; exit 2 ;;
  esac
  LX_TARGET=${CARGO_TARGET_DIR:-$LX_ROOT/target}
  LX_LIB="$LX_TARGET/$LX_PROFILE"
}

lx_init() {
  lx_paths "$@"
  LX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/leanix-test.XXXXXX")
  trap lx_cleanup EXIT
}

lx_at_exit() { _lx_at_exit+=("$*"); }

# Only PIDs this shell recorded, each checked to be a positive number: an empty or zero PID must
# never reach `kill` (kill 0 signals the whole process group, CI included; see commit 5d421cc).
lx_kill_pid() {
  [[ ${1:-} =~ ^[1-9][0-9]*$ ]] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

lx_cleanup() {
  local name cmd
  for cmd in "${_lx_at_exit[@]}"; do eval "$cmd" || true; done
  for name in "${!_lx_sandbox_pids[@]}"; do lx_kill_pid "${_lx_sandbox_pids[$name]}"; done
  if [ -n "${LX_TMP:-}" ]; then rm -rf "$LX_TMP"; fi
}

# The OUT_DIR of this checkout's leanix-ffi build script (after `cargo build -p leanix-ffi`):
# worktrees that share the target directory each have one there, so the newest is not ours.
lx_ffi_out_dir() {
  (cd "$LX_ROOT" && cargo build -q -p leanix-ffi --message-format=json) | python3 -c '
import json, sys
root = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "build-script-executed" and m["package_id"].startswith("path+file://" + root + "/ffi#"):
        print(m["out_dir"])' "$LX_ROOT"
}

lx_rand() {
  local s
  s=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  echo "${s:0:32}"
}

lx_link_soname() {
  local dir=${1:-$LX_LIB} soname tmp
  soname=$(readelf -d "$dir/libleanix.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
  if [ -z "$soname" ] || [ "$soname" = libleanix.so ]; then return 0; fi
  [ "$(readlink "$dir/$soname" 2>/dev/null)" = libleanix.so ] && return 0
  # A new link under a unique name, renamed over the old one: concurrent runs never see it missing.
  tmp=$(mktemp -u "$dir/.$soname.XXXXXX")
  ln -s libleanix.so "$tmp" && mv -f -T "$tmp" "$dir/$soname"
}

start_sandbox() {
  local name=$1 sandbox=${LX_SANDBOX_BIN:-$LX_LIB/lx-sandbox} flag prints_tokens=1 dir pid in out url token viewer
  shift
  if ! [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || [ -n "${_lx_sandbox_pids[$name]:-}" ]; then
    echo "start_sandbox: '$name' is not a free variable name" >&2; return 2
  fi
  for flag in "$@"; do
    case $flag in --api-token | --api-token=*) prints_tokens=0 ;; esac
  done
  dir=$(mktemp -d "$LX_TMP/sandbox.XXXXXX") && mkfifo "$dir/in" "$dir/out" || return 1
  "$sandbox" --port 0 "$@" <"$dir/in" >"$dir/out" &
  pid=$!
  _lx_sandbox_pids[$name]=$pid
  # Both ends open in the order the sandbox opens them (stdin first), so neither side blocks.
  exec {in}>"$dir/in" {out}<"$dir/out"
  rm -rf "$dir"
  _lx_sandbox_fds[$name]=$in
  if ! read -r -t 60 -u "$out" url || [ -z "$url" ] ||
    { [ $prints_tokens = 1 ] && ! { read -r -t 60 -u "$out" token && read -r -t 60 -u "$out" viewer; }; }; then
    exec {out}<&-
    echo "start_sandbox: $sandbox did not print its URL and tokens" >&2 # (the flags may hold tokens)
    stop_sandbox "$name"
    return 1
  fi
  exec {out}<&- # it prints nothing more
  printf -v "${name}_URL" %s "$url"
  printf -v "${name}_PID" %s "$pid"
  if [ $prints_tokens = 1 ]; then
    printf -v "${name}_TOKEN" %s "$token"
    printf -v "${name}_VIEWER_TOKEN" %s "$viewer"
  fi
}

stop_sandbox() {
  local name=$1 fd
  lx_kill_pid "${_lx_sandbox_pids[$name]:-}"
  fd=${_lx_sandbox_fds[$name]:-}
  if [ -n "$fd" ]; then exec {fd}>&-; fi
  unset "_lx_sandbox_pids[$name]" "_lx_sandbox_fds[$name]"
}
