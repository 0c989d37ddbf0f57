import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/**
 * Lays out DOT with Graphviz compiled to WebAssembly (@viz-js/viz): no network,
 * no system Graphviz, and the same bytes for the same input. Returns the bare
 * `<svg>` element (no XML prolog), ready to inline in HTML.
 *
 * @example
 * const svg = await renderSvg(toDot(permissionMachine));
 * svg.startsWith('<svg'); // true
 */
export const renderSvg = async (dot: string): Promise<string> => {
  viz ??= instance();
  const svg = (await viz).renderString(dot, { format: 'svg', engine: 'dot' });
  const start = svg.indexOf('<svg');
  return start < 0 ? svg : svg.slice(start);
};
