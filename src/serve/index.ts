/**
 * `eddy serve`: a local web page over a store of runs (list, run, compare,
 * files). The one entry point is startServer; the CLI wrapper is
 * src/cli/serve.ts.
 */
export { startServer, type RunningServer, type ServeOptions } from './server.js';
export { listRuns, summariseRun, type RunSummary, type Verdict } from './runs.js';
