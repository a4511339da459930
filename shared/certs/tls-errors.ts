/**
 * What a failed TLS handshake means, in the admin's words. Node's and
 * OpenSSL's messages ("wrong version number", "ECONNREFUSED") name the
 * symptom in the library's terms; the admin needs the cause on their
 * network. The raw text stays at the end for whoever digs further.
 */
const CAUSES: { test: RegExp; say: (where: string, host: string, port: number) => string }[] = [
  {
    test: /wrong version number|packet length too long|unknown protocol|http request|record layer failure|before secure TLS connection was established/i,
    say: (_w, host, port) => `port ${port} on ${host} does not speak TLS (something else answers there, such as plain HTTP or SSH)`,
  },
  { test: /ECONNREFUSED|connection refused|errno=111/i, say: (_w, host, port) => `nothing listens on port ${port} of ${host} (connection refused)` },
  { test: /ENOTFOUND|EAI_AGAIN|getaddrinfo|Name or service not known|nodename nor servname|BIO_lookup/i, say: (_w, host) => `${host} does not resolve (check DNS, or give its address)` },
  { test: /EHOSTUNREACH|ENETUNREACH|no route to host|network is unreachable/i, say: (_w, host) => `no route to ${host} (network or firewall)` },
  { test: /ETIMEDOUT|timed out|no TLS answer within/i, say: (where) => `${where} did not answer in time (a firewall or security group may drop the traffic)` },
  { test: /ECONNRESET|unexpected eof|reset by peer|socket hang up/i, say: (where) => `${where} closed the connection during the TLS handshake` },
  { test: /certificate has expired|CERT_HAS_EXPIRED/i, say: (where) => `the certificate ${where} presents has expired` },
  {
    test: /self[- ]signed|unable to get local issuer|unable to verify the first certificate|UNABLE_TO_VERIFY/i,
    say: (where) => `the certificate ${where} presents is not trusted here (self-signed or from a private CA)`,
  },
  { test: /handshake failure|no shared cipher|unsupported protocol|protocol version/i, say: (where) => `the TLS handshake with ${where} failed (no TLS version or cipher in common)` },
];

export function explainTlsError(raw: string, host: string, port: number): string {
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const text = raw.trim();
  const cause = CAUSES.find((c) => c.test.test(text));
  return cause ? `${cause.say(where, host, port)}; ${text.split('\n')[0]}` : text;
}
