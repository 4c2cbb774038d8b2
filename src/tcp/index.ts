/** The TCP model: states, names and groups, the socket shapes, the knowledge base. Imports nothing of the project. */
export * from './knowledge/index.js';
export * from './socket.js';
export * from './state-names.js';
export * from './states.js';
