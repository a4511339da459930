#!/bin/bash
# Lab stand-in for Replicated 2.38.6's install.sh, the script inside
# replicated.tar.gz (`tar xzf replicated.tar.gz && sudo bash ./install.sh airgap ...`).
# Not installed in /usr/local/bin: a test packs it (as install.sh) into a
# replicated.tar.gz and puts that in the host's bundle folder.
#
# Usage: install.sh airgap [private-address=IP] [public-address=IP] [no-docker]
#                   [no-proxy | http-proxy=URL [additional-no-proxy=HOST,HOST]]
#                   [ui-bind-port=PORT] [no-auto] [help]
#   airgap               install from the images in this tarball (no network)
#   private-address=IP   the address other nodes reach this one at
#   no-docker            do not install Docker (it must already be installed)
#   no-proxy             do not use or ask for an HTTP proxy
#   http-proxy=URL       the proxy Replicated uses (additional-no-proxy: what bypasses it)
#
# What it leaves, like a real install: the replicated, replicated-ui and
# replicated-operator units active and enabled, /etc/default/replicated and
# /etc/default/replicated-operator naming the private address, the settings
# of ImportSettingsFrom imported, and the app "stopped" until it starts by
# itself (/var/lib/lab/replicated/start-delay-ms after the install, default
# 1500) when /etc/replicated.conf bootstraps a license; without one the app
# waits for a license from the console. Every call's arguments go to
# /var/log/lab/install-args (one per line) and calls.log; each phase waits
# /var/lib/lab/replicated/install-step-ms (default 200) so a test can kill it
# half way.
. /usr/local/lib/lab/standin-lib.sh
lab_begin "$@"
R=$LAB_STATE/replicated
usage() { lab_die "$@" "Usage: install.sh airgap [private-address=IP] [no-docker] [no-proxy | http-proxy=URL [additional-no-proxy=A,B]] [ui-bind-port=PORT] [no-auto]"; }
printf '%s\n' "$@" >"$LAB_LOG/install-args"
echo "$(lab_now_ms) $*" >>"$LAB_LOG/install-runs"
airgap= addr= nodocker= noproxy= proxy= extra=
for a in "$@"; do
  case $a in
    airgap) airgap=1 ;;
    private-address=*|private_address=*) addr=${a#*=} ;;
    public-address=*|public_address=*|ui-bind-port=*|ui_bind_port=*|no-auto|no_auto) ;;
    no-docker|no_docker) nodocker=1 ;;
    no-proxy|no_proxy) noproxy=1 ;;
    http-proxy=*|http_proxy=*) proxy=${a#*=} ;;
    additional-no-proxy=*|additional_no_proxy=*) extra=${a#*=} ;;
    help|-h|--help) usage "" ;;
    *) usage "install.sh: unknown option '$a'" ;;
  esac
done
lab_need_root "This script must be run as root"
[ -n "$airgap" ] || lab_die "The lab has no network: this stand-in only does airgap installs (it would fetch from get.replicated.com)"
[ -z "$noproxy" ] || [ -z "$proxy" ] || usage "no-proxy and http-proxy= cannot both be given"
[ -z "$extra" ] || [ -n "$proxy" ] || usage "additional-no-proxy= needs http-proxy="
[ -n "$noproxy$proxy" ] || lab_die "Does this machine require a proxy to access the Internet? (no terminal to ask: pass no-proxy or http-proxy=)"
[[ $addr =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || lab_die "The installer was unable to automatically detect the private IP address of this machine. Please pass private-address=IP"
step() { echo "$*"; sleep "$(awk -v ms="$(cat "$R/install-step-ms" 2>/dev/null || echo 200)" 'BEGIN { printf "%.3f", ms / 1000 }')"; }

docker --version >/dev/null 2>&1; [ $? != 127 ] || {
  [ -n "$nodocker" ] && lab_die "Docker is not installed and no-docker was given: install Docker first"
  lab_die "Docker is required: an airgap install cannot download it; install it from .deb files first"; }
lab_unit_active docker || lab_die "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"

license=
if [ -f /etc/replicated.conf ]; then
  jq -e 'type == "object"' /etc/replicated.conf >/dev/null 2>&1 || lab_die "Failed to parse /etc/replicated.conf: not a JSON object"
  license=$(jq -r '.LicenseFileLocation // ""' /etc/replicated.conf)
  airgap_pkg=$(jq -r '.LicenseBootstrapAirgapPackagePath // ""' /etc/replicated.conf)
  settings=$(jq -r '.ImportSettingsFrom // ""' /etc/replicated.conf)
  if [ -n "$license" ]; then
    [ -f "$license" ] || lab_die "LicenseFileLocation $license: no such file"
    [ -n "$airgap_pkg" ] || lab_die "an airgap license needs LicenseBootstrapAirgapPackagePath"
    [[ $airgap_pkg == *.airgap ]] || lab_die "LicenseBootstrapAirgapPackagePath must name a .airgap file"
    [ -f "$airgap_pkg" ] || lab_die "LicenseBootstrapAirgapPackagePath $airgap_pkg: no such file"
  fi
  if [ -n "$settings" ]; then
    jq -e 'type == "object"' "$settings" >/dev/null 2>&1 || lab_die "ImportSettingsFrom $settings: not a JSON settings file"
  fi
  [ "$(jq -r '.DaemonAuthenticationType // ""' /etc/replicated.conf)" != password ] ||
    [ -n "$(jq -r '.DaemonAuthenticationPassword // ""' /etc/replicated.conf)" ] || lab_die "DaemonAuthenticationType password needs DaemonAuthenticationPassword"
fi

step "Loading replicated and replicated-ui images from package"
step "Loading replicated-operator image from package"
cat >/etc/default/replicated <<CONF
PRIVATE_ADDRESS=$addr
REPLICATED_OPTS=" -e DAEMON_TOKEN=lab -e LOG_LEVEL=info -e NODENAME=$(hostname)${proxy:+ -e HTTP_PROXY=$proxy -e NO_PROXY=$extra}"
CONF
cat >/etc/default/replicated-operator <<CONF
DAEMON_ENDPOINT=[$addr]:9879
DAEMON_HOST=[$addr]
PRIVATE_ADDRESS=$addr
CONF
step "Starting replicated services"
mkdir -p "$LAB_STATE/units" "$LAB_STATE/unit-enabled" "$R/app-config"
for u in replicated replicated-ui replicated-operator; do
  echo active >"$LAB_STATE/units/$u"; echo enabled >"$LAB_STATE/unit-enabled/$u"; echo "start $u" >>"$LAB_LOG/units.log"
done
if [ -n "$license" ]; then
  if [ -n "$settings" ]; then
    while IFS= read -r n; do
      jq -j --arg n "$n" '.[$n].value // ""' "$settings" >"$R/app-config/$n.value"
    done < <(jq -r 'keys[]' "$settings")
  fi
  echo stopped >"$R/state"
  echo $(( $(lab_now_ms) + $(cat "$R/start-delay-ms" 2>/dev/null || echo 1500) )) >"$R/autostart-at"
  step "License bootstrapped from $license; the app starts once the airgap bundle is imported"
else
  echo stopped >"$R/state"; rm -f "$R/autostart-at"
  step "To continue the installation, visit the following URL in your browser: https://$addr:8800"
fi
echo "Installation complete"
