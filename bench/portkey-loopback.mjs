// Preloaded into Portkey's gateway (node --import): it listens on every interface by default and has no
// option for the address, so bind every server it opens to loopback instead.
import net from 'node:net';

const host = process.env.BENCH_LISTEN_HOST ?? '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const callback = args.find((a) => typeof a === 'function');
    return listen.call(this, { port: Number(args[0]), host }, callback);
  }
  if (args[0] && typeof args[0] === 'object' && !('path' in args[0]) && !('fd' in args[0]) && !('handle' in args[0])) {
    args[0] = { ...args[0], host };
  }
  return listen.apply(this, args);
};
