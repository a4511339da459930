# Shared helpers of the lab stand-ins (sourced by them, not run). Installed in a
# lab host at /usr/local/lib/lab/standin-lib.sh.
# State lives in the host's own files under /var/lib/lab/, every invocation is
# logged (one line: argv) to /var/log/lab/calls.log, and a file
# /var/lib/lab/fail/<command-name> makes that command fail on purpose (its text
# on stderr, exit 1).
LAB_STATE=/var/lib/lab
LAB_LOG=/var/log/lab
LAB_UNITS="replicated replicated-ui replicated-operator docker nomad"
lab_cmd=${0##*/}

# Log the call, then honour a fail file. Calls made by another stand-in
# (LAB_STANDIN_NESTED=1, e.g. `service` -> systemctl) are not logged again.
lab_begin() {
  if [ -z "${LAB_STANDIN_NESTED:-}" ]; then
    local a line=$lab_cmd
    for a in "$@"; do
      if [[ $a =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then line+=" $a"
      elif [[ $a != *$'\n'* ]]; then line+=" '${a//\'/\'\\\'\'}'"
      else line+=" $(printf '%q' "$a")"; fi
    done
    printf '%s\n' "$line" >>"$LAB_LOG/calls.log" 2>/dev/null || true
  fi
  if [ -f "$LAB_STATE/fail/$lab_cmd" ]; then
    cat "$LAB_STATE/fail/$lab_cmd" >&2
    exit 1
  fi
}

lab_die() { printf '%s\n' "$@" >&2; exit 1; }
lab_need_root() { [ "$(id -u)" = 0 ] || lab_die "$@"; }
lab_now_ms() { date +%s%3N; }

# Units: state file /var/lib/lab/units/<unit> holds active|inactive (default active).
lab_unit_known() { [[ " $LAB_UNITS " == *" $1 "* ]] || [ -f "$LAB_STATE/units/$1" ]; }
lab_unit_state() { local s; s=$(cat "$LAB_STATE/units/$1" 2>/dev/null) || s=active; echo "${s:-active}"; }
lab_unit_active() { [ "$(lab_unit_state "$1")" = active ]; }

# What `systemctl daemon-reload` (and a boot) sees: the Environment= lines of
# /etc/systemd/system/<unit>.service.d/*.conf, one assignment per line, saved
# in /var/lib/lab/unit-env/<unit>.
lab_snapshot_unit_env() {
  local u f line rest
  mkdir -p "$LAB_STATE/unit-env"
  for u in $LAB_UNITS $(ls "$LAB_STATE/units" 2>/dev/null); do
    {
      for f in /etc/systemd/system/"$u".service.d/*.conf; do
        [ -f "$f" ] || continue
        while IFS= read -r line || [ -n "$line" ]; do
          line=${line%$'\r'}
          [[ $line =~ ^[[:space:]]*Environment[[:space:]]*= ]] || continue
          rest=${line#*=}
          if [[ -z ${rest//[[:space:]]/} ]]; then echo '#reset'; continue; fi
          printf '%s' "$rest" | xargs -n1 printf '%s\n'
        done <"$f"
      done
    } | awk '/^#reset$/ { n = 0; next } { v[++n] = $0 } END { for (i = 1; i <= n; i++) print v[i] }' \
      >"$LAB_STATE/unit-env/$u"
  done
}
