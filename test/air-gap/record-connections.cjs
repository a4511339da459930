// Connection recorder for the air-gap tests (never shipped; see README "Air gap").
//
// Loaded into Drydock's own Node processes (the CLI, `drydock serve`, the demo)
// with `NODE_OPTIONS=--require=…/record-connections.cjs` and switched on by
// DRYDOCK_RECORD_CONNECTIONS=<file>: every TCP/Unix connection the process
// attempts and every name it asks DNS about is appended to that file as one
// JSON line, with whether the destination is in the process's inventory
// ($DRYDOCK_HOME/hosts.json) at that moment. test/air-gap/connections.ts reads
// the file and names every destination that is neither loopback nor a host the
// admin put in the inventory.
'use strict';

const log = process.env.DRYDOCK_RECORD_CONNECTIONS;
if (log) {
  const fs = require('node:fs');
  const net = require('node:net');
  const dns = require('node:dns');
  const path = require('node:path');

  /** Names and addresses of the inventory's hosts, as the process would read them now. */
  const inventory = () => {
    try {
      const file = path.join(process.env.DRYDOCK_HOME || '', 'hosts.json');
      const hosts = JSON.parse(fs.readFileSync(file, 'utf8')).hosts || [];
      return hosts.flatMap((h) => [h.address, h.name]).filter((v) => typeof v === 'string');
    } catch {
      return [];
    }
  };
  const write = (record) => {
    const known = inventory();
    const name = record.host ?? record.name;
    const line = { pid: process.pid, main: process.argv[1] || '', ...record, inInventory: name !== undefined && known.includes(name) };
    try {
      fs.appendFileSync(log, JSON.stringify(line) + '\n');
    } catch {
      /* the recorder never changes what the process does */
    }
  };

  /** Socket#connect's many call shapes: (options[, cb]), (port[, host][, cb]), (path[, cb]), net's internal [options, cb]. */
  const destination = (args) => {
    let first = args[0];
    if (Array.isArray(first)) first = first[0];
    if (first && typeof first === 'object') {
      if (first.path) return { kind: 'unix', path: String(first.path) };
      return { kind: 'tcp', host: String(first.host ?? 'localhost'), port: Number(first.port) };
    }
    if (typeof first === 'string' && !/^\d+$/.test(first)) return { kind: 'unix', path: first };
    return { kind: 'tcp', host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) };
  };

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    try {
      write(destination(args));
    } catch {
      /* see write() */
    }
    return connect.apply(this, args);
  };

  // UDP: send(msg[, offset, length], port[, address][, cb]) and connect(port[, address][, cb]).
  const dgram = require('node:dgram');
  const udpDestination = (args) => {
    const host = args.find((a) => typeof a === 'string') ?? 'localhost';
    const numbers = args.filter((a) => typeof a === 'number');
    return { kind: 'udp', host, port: numbers[numbers.length - 1] };
  };
  for (const method of ['send', 'connect']) {
    const original = dgram.Socket.prototype[method];
    dgram.Socket.prototype[method] = function (...args) {
      const rest = method === 'send' ? args.slice(1) : args;
      try {
        if (method === 'connect' || !this.remoteAddress || rest.some((a) => typeof a === 'number')) write(udpDestination(rest));
      } catch {
        /* see write() */
      }
      return original.apply(this, args);
    };
  }

  const LOOKUPS = ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname',
    'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse'];
  const hook = (target, method) => {
    const original = target[method];
    if (typeof original !== 'function') return;
    target[method] = function (name, ...rest) {
      write({ kind: 'dns', call: method, name: String(name) });
      return original.call(this, name, ...rest);
    };
  };
  for (const m of LOOKUPS) {
    hook(dns, m);
    hook(dns.promises, m);
    hook(dns.Resolver.prototype, m);
    hook(dns.promises.Resolver.prototype, m);
  }
}
