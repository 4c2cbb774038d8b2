/** The version `tcpscope --version` prints (kept in its own file: start-up reads nothing else for it). */
export const VERSION = '0.1.0';
