/**
 * @callperm/cli: the `callperm` command line, and the pieces it is built from for
 * hosts that want them in-process (chart exports, the runner).
 */
export * from './runCli.js';
export * from './CliIo.js';
export * from './CliError.js';
export * from './chart/exportChart.js';
export * from './chart/toDot.js';
export * from './chart/toChartJson.js';
export * from './chart/toHtml.js';
export * from './chart/renderSvg.js';
export * from './chart/historyReplay.js';
export * from './chart/describeSource.js';
export * from './store/parseStoreSpec.js';
export * from './store/openStore.js';
export * from './simulate/runSimulation.js';
export * from './simulate/SimulationConfig.js';
export * from './simulate/checkInvariants.js';
export * from './simulate/formatSummary.js';
export * from './host/startHost.js';
export * from './host/threadApi.js';
