#!/bin/bash
# PID 1 of one lab host. lab.ts runs it as
#   setpriv --pdeathsig KILL unshare -m -u -p --kill-child --propagation private bash host-init.sh HOSTDIR NAME [first]
# so it lives in its own mount, UTS and PID namespaces: when it dies, the kernel
# kills every process of the host and drops every mount below.
#
# Protocol with lab.ts: prints "mounted" on stdout once the host's filesystem is
# up, then waits for one line on stdin ("go") while lab.ts writes the host's
# files through /proc/<this pid>/root; then runs /run/lab-boot.sh (if lab.ts
# wrote one) inside the host and becomes the host's sshd (still PID 1).
set -euo pipefail
H=$1 NAME=$2 FIRST=${3:-}
M=$H/merged

# First boot: the host gets a fresh /root (Debian's root dotfiles), not the real
# machine's: a whiteout now, and the mkdir below makes an opaque directory.
[ "$FIRST" != first ] || mknod "$H/upper/root" c 0 0

# Copy-on-write view of the real / : reads fall through, writes land in $H/upper.
mount -t overlay overlay -o "lowerdir=/,upperdir=$H/upper,workdir=$H/work" "$M"
if [ "$FIRST" = first ]; then
  mkdir -m 700 "$M/root"
  if [ -f /usr/share/base-files/dot.bashrc ]; then
    cp /usr/share/base-files/dot.bashrc "$M/root/.bashrc"; cp /usr/share/base-files/dot.profile "$M/root/.profile"
  else
    cp -a /etc/skel/. "$M/root/"
  fi
fi
mount -t proc -o nosuid,nodev,noexec proc "$M/proc"          # this PID namespace's /proc
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$M/sys" 2>/dev/null || true

# Minimal /dev with a private devpts instance (PTYs of this host only).
mount -t tmpfs -o mode=755,nosuid tmpfs "$M/dev"
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r n a b <<<"$d"
  mknod -m 666 "$M/dev/$n" c "$a" "$b"
done
mkdir -m 755 "$M/dev/pts"; mkdir -m 1777 "$M/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$M/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/dev/shm"
ln -s pts/ptmx "$M/dev/ptmx"
ln -s /proc/self/fd "$M/dev/fd"
ln -s /proc/self/fd/0 "$M/dev/stdin"; ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"

# Fresh /run and /tmp at every boot, like a real machine.
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$M/run"
mkdir -m 755 "$M/run/sshd"; mkdir -m 1777 "$M/run/lock"
: >"$M/run/utmp"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/tmp"

hostname "$NAME"

echo mounted
read -r go || { echo "host-init: lab.ts went away before 'go'" >&2; exit 1; }
[ "$go" = go ] || { echo "host-init: expected 'go', got '$go'" >&2; exit 1; }
exec </dev/null >&2

if [ -f "$M/run/lab-boot.sh" ]; then
  chroot "$M" /bin/bash -e /run/lab-boot.sh
  rm -f "$M/run/lab-boot.sh"
fi

echo "host-init: $NAME: starting sshd"
exec chroot "$M" /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
