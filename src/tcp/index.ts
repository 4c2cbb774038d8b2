/** The TCP model: states, names and groups, the socket shapes. Imports nothing of the project. */
export * from './socket.js';
export * from './state-names.js';
export * from './states.js';
export * from './tcp-info.js';
