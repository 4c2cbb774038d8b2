/** The netlink sock_diag source: dumps, counts and closes TCP sockets (koffi loaded on first use). */
export { compileFilter, type DiagCond, type DiagExpr, type PortOp } from './bytecode.js';
export { destroySockets } from './destroy.js';
export { countTcp, type DumpOptions, type DumpResult, dumpTcp, LITTLE_ENDIAN } from './dump.js';
export { type LeanTable, leanTcp } from './lean.js';
export { type DiagParseOptions, DiagParser, type DumpStatus } from './parse.js';
export { dumpRequest } from './request.js';
export { DiagSocket, loadNetlink } from './socket.js';
