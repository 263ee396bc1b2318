/**
 * {@link policyArrows}: a policy drawn as arrows on its grid map (state `s = row * cols + col`, row 0
 * at the top; see ./grid), over an optional value heatmap; and the action-to-direction encodings of
 * the toy-text envs.
 */

import { ChartOptions, Figure, PlotlyAnnotation, PlotlyTrace } from "./spec";
import { Rgb, describe, inkOn, isArrayLike, nonEmptyArray, numbers, parseColor, positiveInt } from "./common";
import { CellText, Colorscale, cellTexts, colorAt, escapeHtml, finiteRange, formatValue, gridLayout, resolveScale, stateGrid, toGrid } from "./grid";

/** Where an action moves the agent on the map; `"none"` (e.g. "stay") draws a dot. */
export type Direction = "left" | "down" | "right" | "up" | "none";

/**
 * The direction of each FrozenLake action, by action index (Gymnasium's encoding: 0 = LEFT, 1 = DOWN,
 * 2 = RIGHT, 3 = UP): the default `actionDirections` of {@link policyArrows}. Not to be confused with
 * the env's `FROZEN_LAKE_ACTIONS` (`{ LEFT: 0, DOWN: 1, RIGHT: 2, UP: 3 }`), which names the indices.
 */
export const FROZEN_LAKE_DIRECTIONS: readonly Direction[] = ["left", "down", "right", "up"];

/** Gymnasium CliffWalking's action encoding: 0 = UP, 1 = RIGHT, 2 = DOWN, 3 = LEFT. */
export const CLIFF_WALKING_ACTIONS: readonly Direction[] = ["up", "right", "down", "left"];

/** (dx, dy) on screen, y pointing down (row 0 at the top). */
const DIRECTION_VECTORS: Record<Direction, [number, number]> = {
  left: [-1, 0],
  right: [1, 0],
  up: [0, -1],
  down: [0, 1],
  none: [0, 0],
};

/**
 * Background colour classes of map letters when no values are given: start, free (FrozenLake `F`,
 * CliffWalking `.`), hole / cliff / trap (`H`, `C`, `T`), wall (`#`), goal. Other letters are drawn
 * as free cells.
 */
const MAP_CLASSES: readonly { letters: string; color: string }[] = [
  { letters: "S", color: "#cde8c8" },
  { letters: "F.", color: "#e8f0fa" },
  { letters: "HCT", color: "#34495e" },
  { letters: "#", color: "#95a5a6" },
  { letters: "G", color: "#f6d365" },
];

/** Letters whose cells get no arrow unless `mask` says otherwise: holes, cliff, traps, walls and goals
 * (FrozenLake, CliffWalking and the course's GridWorld). */
const TERMINAL_LETTERS = "HCTG#";

/** Options of {@link policyArrows}. */
export interface PolicyArrowsOptions extends ChartOptions {
  /** Number of grid rows. */
  rows: number;
  /** Number of grid columns. */
  cols: number;
  /** Direction of each action index (default {@link FROZEN_LAKE_DIRECTIONS}); its length is the number of actions. */
  actionDirections?: readonly Direction[];
  /** State values (length rows·cols) coloured under the arrows, e.g. V or max_a Q. */
  values?: ArrayLike<number>;
  /** Map description (the env's `desc`, e.g. `["SFFF", "FHFH", "FFFH", "HFFG"]`): letters in the cells,
   * cell colours when no `values`, and holes `H`, cliff `C`, traps `T`, walls `#` and goals `G`
   * masked unless `mask` is given. */
  desc?: CellText;
  /** States left without arrows: a boolean per state (true = blank), or a list of state indices. */
  mask?: readonly boolean[] | readonly number[];
  /** With a table: `"argmax"` (default: arrows for the best action, all of them on ties) or
   * `"proportional"` (one arrow per action, length ∝ probability; the table must hold probabilities). */
  mode?: "argmax" | "proportional";
  /** Colour scale of `values` (default `"blues"`). */
  colorscale?: Colorscale;
  /** Print the values in the cells too: `true` (2 decimals) or a number of decimals. */
  showValues?: boolean | number;
}

/**
 * The greedy action of every state as an arrow on the grid map (state s = row·cols + col, row 0 at
 * the top), over an optional value heatmap.
 *
 * @param policy one of
 *   - actions: `number[]` of length nS = rows·cols, integers in [0, nA);
 *   - a table nS × nA (`number[][]` or `Float64Array[]`), probabilities π(a|s) or action values
 *     Q(s, a): arrows for the argmax (or, with `mode: "proportional"`, length ∝ probability);
 *   - the same table flattened row-major, length nS·nA (`Float64Array`).
 * @example
 * // FrozenLake (default encoding 0=LEFT 1=DOWN 2=RIGHT 3=UP), greedy w.r.t. Q, over V = max Q:
 * display(policyArrows(Q, { rows: 4, cols: 4, desc: env.unwrapped.desc, values: V, title: "greedy policy" }));
 * // CliffWalking (0=UP 1=RIGHT 2=DOWN 3=LEFT):
 * display(policyArrows(actions, { rows: 4, cols: 12, actionDirections: CLIFF_WALKING_ACTIONS }));
 */
export function policyArrows(
  policy: ArrayLike<number> | readonly ArrayLike<number>[],
  options: PolicyArrowsOptions,
): Figure {
  const fn = "policyArrows";
  if (typeof options !== "object" || options === null) throw new TypeError(`plot.${fn}: options { rows, cols } is required`);
  const rows = positiveInt(fn, "options.rows", options.rows);
  const cols = positiveInt(fn, "options.cols", options.cols);
  const nS = rows * cols;
  const dirs = options.actionDirections ?? FROZEN_LAKE_DIRECTIONS;
  nonEmptyArray<Direction>(fn, "options.actionDirections", dirs);
  dirs.forEach((d, i) => {
    if (!(typeof d === "string" && d in DIRECTION_VECTORS)) {
      throw new RangeError(`plot.${fn}: options.actionDirections[${i}] must be "left", "down", "right", "up" or "none", got ${describe(d)}`);
    }
  });
  const nA = dirs.length;
  const mode = options.mode ?? "argmax";
  if (mode !== "argmax" && mode !== "proportional") {
    throw new RangeError(`plot.${fn}: options.mode must be "argmax" or "proportional", got ${describe(mode)}`);
  }

  // Normalise the policy to, per state, a list of (action, weight in [0, 1]) to draw.
  const arrows: [number, number][][] = [];
  if (Array.isArray(policy) && policy.length > 0 && isArrayLike(policy[0])) {
    if (policy.length !== nS) throw new RangeError(`plot.${fn}: policy has ${policy.length} rows but rows × cols = ${rows} × ${cols} = ${nS}`);
    for (let s = 0; s < nS; s++) {
      const row = numbers(fn, `policy[${s}]`, policy[s]);
      if (row.length !== nA) {
        throw new RangeError(`plot.${fn}: policy[${s}] has ${row.length} entries but options.actionDirections has ${nA} actions`);
      }
      arrows.push(tableArrows(fn, `policy[${s}]`, row, mode));
    }
  } else {
    const flat = numbers(fn, "policy", policy);
    if (flat.length === nS) {
      if (mode === "proportional") throw new RangeError(`plot.${fn}: options.mode "proportional" needs a probability table nS × nA, but policy is a list of actions`);
      flat.forEach((a, s) => {
        if (!Number.isInteger(a) || a < 0 || a >= nA) {
          throw new RangeError(`plot.${fn}: policy[${s}] = ${a} is not an action index in 0…${nA - 1}`);
        }
        arrows.push([[a, 1]]);
      });
    } else if (flat.length === nS * nA) {
      for (let s = 0; s < nS; s++) arrows.push(tableArrows(fn, `policy[${s * nA}…${s * nA + nA - 1}]`, flat.slice(s * nA, (s + 1) * nA), mode));
    } else {
      throw new RangeError(
        `plot.${fn}: policy has length ${flat.length}; expected nS = rows × cols = ${nS} actions, ` +
          `or nS × nA = ${nS} × ${nA} = ${nS * nA} table entries`,
      );
    }
  }

  const letters = options.desc === undefined ? undefined : cellTexts(fn, "options.desc", options.desc, rows, cols);
  const values = options.values === undefined ? undefined : numbers(fn, "options.values", options.values, true);
  if (values && values.length !== nS) {
    throw new RangeError(`plot.${fn}: options.values has length ${values.length} but rows × cols = ${rows} × ${cols} = ${nS}`);
  }
  const masked = maskOf(fn, options.mask, letters, nS);
  const digits = options.showValues === true ? 2 : typeof options.showValues === "number" ? options.showValues : undefined;

  // Background heatmap: values, else map letters, else a plain light grid.
  const data: PlotlyTrace[] = [];
  const hover = stateGrid(rows, cols).map((r) =>
    r.map((s) => {
      const acts = arrows[s].map(([a, w]) => (mode === "proportional" ? `${dirs[a]} ${w.toFixed(2)}` : dirs[a])).join(", ");
      const letter = letters ? ` ${escapeHtml(letters[s])}` : "";
      const v = values && !Number.isNaN(values[s]) ? `<br>value ${formatValue(values[s], 4)}` : "";
      return `state ${s}${letter}${masked[s] ? "" : `<br>${acts}`}${v}`;
    }),
  );
  let cellInk: (s: number) => string;
  if (values) {
    const scale = resolveScale(fn, options.colorscale ?? "blues");
    const [zmin, zmax] = finiteRange(values);
    data.push({
      type: "heatmap",
      z: toGrid(values, rows, cols),
      colorscale: scale.stops,
      zmin,
      zmax,
      xgap: 2,
      ygap: 2,
      text: hover,
      hovertemplate: "%{text}<extra></extra>",
    });
    cellInk = (s) => (Number.isNaN(values[s]) ? "#111111" : inkOn(colorAt(scale, zmax > zmin ? (values[s] - zmin) / (zmax - zmin) : 0.5)));
  } else {
    const cat = (s: number) => {
      const k = letters ? MAP_CLASSES.findIndex((c) => letters[s].length === 1 && c.letters.includes(letters[s])) : -1;
      return k < 0 ? 1 : k;
    };
    const cs = MAP_CLASSES.map((c) => c.color);
    data.push({
      type: "heatmap",
      z: stateGrid(rows, cols).map((r) => r.map(cat)),
      colorscale: [[0, cs[0]], [0.25, cs[0]], [0.25, cs[1]], [0.5, cs[1]], [0.5, cs[2]], [0.75, cs[2]], [0.75, cs[3]], [1, cs[3]]],
      zmin: 0,
      zmax: 3,
      showscale: false,
      xgap: 2,
      ygap: 2,
      text: hover,
      hovertemplate: "%{text}<extra></extra>",
    });
    cellInk = (s) => inkOn(parseColor(cs[cat(s)]) as Rgb);
  }

  const annotations: PlotlyAnnotation[] = [];
  for (let s = 0; s < nS; s++) {
    const cx = s % cols;
    const cy = Math.floor(s / cols);
    const ink = cellInk(s);
    const letter = letters ? letters[s] : "";
    if (masked[s]) {
      if (letter) annotations.push({ x: cx, y: cy, xref: "x", yref: "y", text: escapeHtml(letter), showarrow: false, font: { color: ink, size: 16 } });
      continue;
    }
    if (letter && letter !== "F" && letter !== ".") {
      annotations.push({ x: cx - 0.42, y: cy - 0.42, xref: "x", yref: "y", xanchor: "left", yanchor: "top", text: escapeHtml(letter), showarrow: false, font: { color: ink, size: 10 } });
    }
    if (digits !== undefined && values && !Number.isNaN(values[s])) {
      annotations.push({ x: cx, y: cy + 0.42, xref: "x", yref: "y", yanchor: "bottom", text: formatValue(values[s], digits), showarrow: false, font: { color: ink, size: 9 } });
    }
    const list = arrows[s];
    for (const [a, w] of list) {
      const [dx, dy] = DIRECTION_VECTORS[dirs[a]];
      if (dx === 0 && dy === 0) {
        annotations.push({ x: cx, y: cy, xref: "x", yref: "y", text: "●", showarrow: false, font: { color: ink, size: 10 } });
        continue;
      }
      // One arrow: centred across the cell. Several (ties, probabilities): from near the centre
      // outwards (a small gap keeps opposite arrows apart), length 0.42 × probability in proportional mode.
      const single = mode === "argmax" && list.length === 1;
      const len = single ? 0.6 : mode === "argmax" ? 0.38 : 0.42 * w;
      const tail = single ? -len / 2 : 0.04;
      const head = tail + len;
      annotations.push({
        x: round(cx + dx * head),
        y: round(cy + dy * head),
        ax: round(cx + dx * tail),
        ay: round(cy + dy * tail),
        xref: "x",
        yref: "y",
        axref: "x",
        ayref: "y",
        text: "",
        showarrow: true,
        arrowhead: 2,
        arrowsize: mode === "proportional" ? 0.8 : 1,
        arrowwidth: mode === "proportional" ? 1.5 : 2,
        arrowcolor: ink,
        standoff: 0,
        startstandoff: 0,
      });
    }
  }
  const layout = gridLayout(fn, options, rows, cols, values !== undefined);
  layout.annotations = annotations;
  return { data, layout };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function tableArrows(fn: string, name: string, row: number[], mode: "argmax" | "proportional"): [number, number][] {
  if (mode === "proportional") {
    let sum = 0;
    row.forEach((p, a) => {
      if (p < 0 || p > 1) throw new RangeError(`plot.${fn}: ${name}[${a}] = ${p} is not a probability (mode "proportional")`);
      sum += p;
    });
    if (Math.abs(sum - 1) > 1e-3) throw new RangeError(`plot.${fn}: ${name} sums to ${sum}, not 1 (mode "proportional" needs probabilities)`);
    return row.map((p, a): [number, number] => [a, p]).filter(([, p]) => p >= 0.01);
  }
  const best = Math.max(...row);
  const tol = 1e-9 * Math.max(1, Math.abs(best));
  return row.map((q, a): [number, number] => [a, 1]).filter(([a]) => row[a] >= best - tol);
}

function maskOf(fn: string, mask: unknown, letters: string[] | undefined, nS: number): boolean[] {
  if (mask === undefined) {
    return Array.from({ length: nS }, (_, s) => (letters ? letters[s].length === 1 && TERMINAL_LETTERS.includes(letters[s]) : false));
  }
  if (!Array.isArray(mask)) throw new TypeError(`plot.${fn}: options.mask must be boolean[] (one per state) or number[] (state indices), got ${describe(mask)}`);
  if (mask.length > 0 && typeof mask[0] === "boolean") {
    if (mask.length !== nS) throw new RangeError(`plot.${fn}: options.mask has length ${mask.length} but rows × cols = ${nS}`);
    return mask.map((m, i) => {
      if (typeof m !== "boolean") throw new TypeError(`plot.${fn}: options.mask[${i}] is ${describe(m)}; use all booleans or all state indices`);
      return m;
    });
  }
  const out = new Array<boolean>(nS).fill(false);
  mask.forEach((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s >= nS) {
      throw new RangeError(`plot.${fn}: options.mask[${i}] = ${describe(s)} is not a state index in 0…${nS - 1}`);
    }
    out[s] = true;
  });
  return out;
}
