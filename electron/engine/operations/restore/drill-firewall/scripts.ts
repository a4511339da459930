/**
 * The shell the drill's block is loaded, checked and removed with (run as
 * root on the spare). Plain POSIX sh and iptables options that old
 * distributions have (`-w` since 1.4.20; iptables-restore gets no `-w`).
 */
import { quote } from '../../../ssh/quote';
import { CHAIN, FWD_CHAIN, RULES_FILE } from './rules';

const ipt = (family: 'v4' | 'v6') => (family === 'v4' ? 'iptables' : 'ip6tables');

/** IPv6 is skipped (and says so) only where the host has no ip6tables or IPv6 is off. */
function forFamily(family: 'v4' | 'v6', body: string): string {
  const t = ipt(family);
  return family === 'v4' ? body : `if command -v ${t} >/dev/null 2>&1 && ${t} -w -S >/dev/null 2>&1; then\n${body}\nelse echo "ipv6: none"; fi`;
}

/**
 * Load: DOCKER-USER made (with FORWARD's jump, as Docker makes it) when
 * Docker has not started yet, and said so, so removal takes back only that;
 * our chains declared and filled in one restore; each hook left alone when
 * it is already the only one and first, else put first once.
 */
export function loadScript(family: 'v4' | 'v6'): string {
  const t = ipt(family);
  const hook = (chain: string, target: string) =>
    `if [ "$(${t} -w -S ${chain} | sed -n 2p)" != "-A ${chain} -j ${target}" ] || [ "$(${t} -w -S ${chain} | grep -cx -- "-A ${chain} -j ${target}")" != 1 ]; then\n` +
    `  while ${t} -w -D ${chain} -j ${target} 2>/dev/null; do :; done\n  ${t} -w -I ${chain} 1 -j ${target}\nfi`;
  return forFamily(
    family,
    [
      'set -e',
      `if ! ${t} -w -S DOCKER-USER >/dev/null 2>&1; then ${t} -w -N DOCKER-USER; ${t} -w -I FORWARD 1 -j DOCKER-USER; echo "${family}: created DOCKER-USER"; fi`,
      `${t}-restore --noflush < ${quote(RULES_FILE[family])}`,
      hook('OUTPUT', CHAIN),
      hook('DOCKER-USER', FWD_CHAIN),
      `echo "${family}: loaded"`,
    ].join('\n'),
  );
}

/** The whole filter table as `iptables -S` prints it (what verification compares). */
export function showScript(family: 'v4' | 'v6'): string {
  return forFamily(family, `${ipt(family)} -w -S`);
}

/**
 * Remove exactly what load added: our hooks, our chains, and DOCKER-USER
 * with FORWARD's jump only when load created it and it holds nothing else.
 */
export function removeScript(family: 'v4' | 'v6', createdDockerUser: boolean): string {
  const t = ipt(family);
  return forFamily(
    family,
    [
      `while ${t} -w -D OUTPUT -j ${CHAIN} 2>/dev/null; do :; done`,
      `while ${t} -w -D DOCKER-USER -j ${FWD_CHAIN} 2>/dev/null; do :; done`,
      ...[CHAIN, FWD_CHAIN].map((c) => `if ${t} -w -S ${c} >/dev/null 2>&1; then ${t} -w -F ${c}; ${t} -w -X ${c}; fi`),
      ...(createdDockerUser
        ? [`if [ "$(${t} -w -S DOCKER-USER 2>/dev/null | grep -c '^-A')" = 0 ]; then ${t} -w -D FORWARD -j DOCKER-USER 2>/dev/null || true; ${t} -w -X DOCKER-USER 2>/dev/null || true; fi`]
        : []),
      `echo "${family}: removed"`,
    ].join('\n'),
  );
}
