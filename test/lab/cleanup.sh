#!/bin/bash
# Removes what aborted lab runs left behind under /tmp/drydock-lab: kills their
# hosts (each host's PID 1, which takes the whole host with it), checks that no
# mount remains, deletes their folders and address locks. CI runs it before and
# after the integration tests.
#
#   test/lab/cleanup.sh          labs whose owning process is gone (safe while another lab runs)
#   test/lab/cleanup.sh --all    every lab, also those of live processes
set -uo pipefail
ROOT=/tmp/drydock-lab
ALL=
case "${1:-}" in --all) ALL=1 ;; "") ;; *) echo "usage: $0 [--all]" >&2; exit 2 ;; esac
[ -d "$ROOT" ] || exit 0

starttime() { sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
# alive PID STARTTIME: that very process still runs (not a reused pid, not a zombie)
alive() {
  [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || return 1
  [ "$(starttime "$1")" = "${2:-}" ] || return 1
  [ "$(sed -E 's/^.*\) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]
}
owner_alive() { local pid st; read -r pid st _ <"$1" 2>/dev/null || return 1; alive "$pid" "$st"; }

rc=0
for lab in "$ROOT"/lab-*; do
  [ -d "$lab" ] || continue
  if [ -z "$ALL" ] && owner_alive "$lab/owner"; then continue; fi
  pids=()
  for f in "$lab"/hosts/*/pids; do
    [ -f "$f" ] || continue
    read -r ipid ist upid ust <"$f" || continue
    alive "$ipid" "$ist" && pids+=("$ipid")
    alive "$upid" "$ust" && pids+=("$upid")
  done
  # Hosts not recorded yet (killed during startup): their host-init runs with this lab's folder.
  for p in /proc/[0-9]*; do
    grep -qF "$lab/hosts/" "$p/cmdline" 2>/dev/null && pids+=("${p#/proc/}")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    echo "cleanup: $lab: killing ${pids[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null
    for _ in $(seq 100); do
      left=0
      for p in "${pids[@]}"; do [ -d "/proc/$p" ] && [ "$(sed -E 's/^.*\) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] && left=1; done
      [ $left = 0 ] && break
      sleep 0.05
    done
  fi
  if cut -d' ' -f2 /proc/[0-9]*/mounts 2>/dev/null | grep -q "^$lab\(/\|$\)"; then
    echo "cleanup: $lab is still mounted somewhere; not deleting it" >&2
    rc=1
    continue
  fi
  echo "cleanup: removing $lab"
  rm -rf --one-file-system "$lab"
done

for lock in "$ROOT"/ips/*; do
  [ -d "$lock" ] || continue
  if [ -z "$ALL" ] && owner_alive "$lock/owner"; then continue; fi
  # a lock being created right now has no owner file for a moment
  if [ -z "$ALL" ] && [ ! -f "$lock/owner" ] && [ $(( $(date +%s) - $(stat -c %Y "$lock") )) -lt 10 ]; then continue; fi
  rm -rf "$lock"
done
rmdir "$ROOT/ips" "$ROOT" 2>/dev/null
exit $rc
