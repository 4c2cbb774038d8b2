/** Renderers (pure): the state diagram in SVG, text, Mermaid and DOT; ladder diagrams of simulations. */
export { type StateCounts, stateCountsFromJson } from './diagram-counts.js';
export { diagramDot } from './diagram-dot.js';
export { diagramMermaid } from './diagram-mermaid.js';
export * from './diagram-model.js';
export { diagramSvg } from './diagram-svg.js';
export { diagramText } from './diagram-text.js';
export { ladderSvg } from './ladder-svg.js';
export { ladderText, type Styler } from './ladder-text.js';
export { simulationJson } from './sim-json.js';
export type { Theme } from './svg.js';
