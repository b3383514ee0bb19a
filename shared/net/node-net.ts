// node:net as its CommonJS exports (process.getBuiltinModule) rather than by `import`: an ESM import of
// a builtin builds its module facade, which reads every export at once, and so loads what node:net
// keeps lazy (BlockList, SocketAddress: two more modules) at the cold start of every function that
// bundles shared/net, where most requests never build a BlockList (`npm run bench -- --instructions`).
export const net = process.getBuiltinModule('node:net');
