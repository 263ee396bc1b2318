/**
 * GridWorld: the course's configurable gridworld for dynamic programming and tabular methods, in the
 * style of Sutton & Barto's Examples 3.5 and 4.1.
 */
import { checkOptionNames } from "../core";
import {
  DiscreteEnv,
  checkCharGrid,
  gridToState,
  integerOption,
  probabilityOption,
  stateToGrid,
  type Transition,
  type TransitionTable,
} from "./discrete_env";
import { letterMapTable, markAgent, slipperyMoves, uniformOverCells } from "./letter_map";

/** Action indices of GridWorld: the same order as FrozenLake's, so code written for one runs on the other. */
export const GRID_ACTIONS = { LEFT: 0, DOWN: 1, RIGHT: 2, UP: 3 } as const;
/** One arrow per action, for drawing policies: ←, ↓, →, ↑. */
export const GRID_ACTION_ARROWS: readonly string[] = ["←", "↓", "→", "↑"];
/** (row, col) change of each action. */
const DELTAS: readonly (readonly [number, number])[] = [
  [0, -1],
  [1, 0],
  [0, 1],
  [-1, 0],
];

/** Letters of a GridWorld layout. */
export const GRID_CELLS = {
  /** Open cell. */
  EMPTY: ".",
  /** Start cell (the episode starts on one of them). */
  START: "S",
  /** Goal: terminal, entering it earns `goalReward`. */
  GOAL: "G",
  /** Trap: terminal, entering it earns `trapReward`. */
  TRAP: "T",
  /** Wall: cannot be entered. */
  WALL: "#",
} as const;

/** A jump: any action taken in cell `from` moves the agent to cell `to` and earns `reward`. */
export interface GridTeleport {
  /** (row, col) of the cell that triggers the jump. */
  from: readonly [number, number];
  /** (row, col) where the agent lands. */
  to: readonly [number, number];
  /** Reward of the jump (replaces `stepReward`). */
  reward: number;
}

/** Options of {@link GridWorldEnv}. */
export interface GridWorldOptions {
  /** Start from a named preset (its options, overridden by the ones given here). */
  preset?: keyof typeof GRIDWORLD_PRESETS;
  /**
   * The grid, one string per row, with letters `.` open, `S` start, `G` goal, `T` trap, `#` wall.
   * Without a layout, a `rows × cols` grid with goals in the top-left and bottom-right corners
   * (Example 4.1) is used.
   */
  layout?: readonly string[];
  /** Rows of the default layout (default 4; not allowed together with `layout`). */
  rows?: number;
  /** Columns of the default layout (default 4; not allowed together with `layout`). */
  cols?: number;
  /** Reward of every step (default −1, as in Example 4.1). */
  stepReward?: number;
  /** Added to `stepReward` on entering a goal (default 0). */
  goalReward?: number;
  /** Added to `stepReward` on entering a trap (default −10). */
  trapReward?: number;
  /** Added to `stepReward` when a move bumps into a wall or the edge and the agent stays put (default 0). */
  bumpReward?: number;
  /** Probability that a move slips to one of the two perpendicular directions, half each (default 0). */
  slip?: number;
  /** Cells whose every action jumps elsewhere with a fixed reward (Example 3.5's A → A′ and B → B′). */
  teleports?: readonly GridTeleport[];
}

/** Names of the options {@link GridWorldEnv} accepts. */
export const GRIDWORLD_OPTION_NAMES = [
  "preset",
  "layout",
  "rows",
  "cols",
  "stepReward",
  "goalReward",
  "trapReward",
  "bumpReward",
  "slip",
  "teleports",
] as const;

/**
 * Named configurations:
 * - `"example4.1"`: Sutton & Barto Example 4.1, the 4x4 grid with terminal corners and −1 per step
 *   (the default). Under the equiprobable random policy with γ = 1 the state values are
 *   0 −14 −20 −22 / −14 −18 −20 −20 / −20 −20 −18 −14 / −22 −20 −14 0.
 * - `"example3.5"`: Sutton & Barto Example 3.5, a 5x5 continuing task: 0 per step, −1 for bumping
 *   into the edge, every action from A = (0, 1) jumps to A′ = (4, 1) with +10 and from B = (0, 3) to
 *   B′ = (2, 3) with +5. With γ = 0.9 the optimal value of A is 24.4; use a time limit to sample it.
 * - `"cliff"`: a 4x12 grid shaped like CliffWalking with the cliff as traps (−100, terminal).
 * - `"bridge"`: a 3x7 corridor between two rows of traps, with slip 0.1 (risk versus path length).
 */
export const GRIDWORLD_PRESETS = {
  "example4.1": { rows: 4, cols: 4, stepReward: -1, goalReward: 0 },
  "example3.5": {
    layout: [".....", ".....", ".....", ".....", "....."],
    stepReward: 0,
    bumpReward: -1,
    teleports: [
      { from: [0, 1], to: [4, 1], reward: 10 },
      { from: [0, 3], to: [2, 3], reward: 5 },
    ],
  },
  cliff: {
    layout: ["............", "............", "............", "STTTTTTTTTTG"],
    stepReward: -1,
    goalReward: 0,
    trapReward: -99,
  },
  bridge: {
    layout: ["#TTTTT#", "S.....G", "#TTTTT#"],
    stepReward: -1,
    goalReward: 10,
    trapReward: -10,
    slip: 0.1,
  },
} as const satisfies Record<string, Omit<GridWorldOptions, "preset">>;

const WHERE = "GridWorld";

/**
 * A gridworld for the dynamic-programming notebook (value heatmaps, policy arrows) and the tabular
 * ones: a rectangular grid of cells, some walls, goals and traps, deterministic or slippery moves.
 * It exposes its transition table {@link GridWorldEnv.P} in Gymnasium's `env.P` format, so policy
 * evaluation, policy iteration and value iteration run on it exactly as on FrozenLake.
 *
 * ## Description
 * The agent walks on a grid described by a layout ({@link GRID_CELLS}): `.` open, `S` start,
 * `G` goal, `T` trap, `#` wall. Moving into a wall or off the grid leaves the agent in place. Goals
 * and traps are terminal. With the defaults it is Sutton & Barto's Example 4.1: a 4x4 grid whose
 * top-left and bottom-right corners are terminal, every step costing 1. {@link GRIDWORLD_PRESETS}
 * also gives Example 3.5 (teleporting cells, a continuing task).
 *
 * ## Action Space
 * `Discrete(4)`: 0 = left, 1 = down, 2 = right, 3 = up ({@link GRID_ACTIONS}; FrozenLake's order),
 * drawn as {@link GRID_ACTION_ARROWS}.
 *
 * ## Observation Space
 * `Discrete(rows * cols)`: the agent's cell as `row * cols + col` ({@link GridWorldEnv.toState},
 * {@link GridWorldEnv.toRowCol}). Wall cells are states too (so the table reshapes into the grid)
 * but are never visited: their `P` is the absorbing `[[1, s, 0, true]]`, their start probability 0.
 *
 * ## Rewards
 * A transition that lands on cell `c` earns `stepReward` plus `goalReward` if `c` is a goal, plus
 * `trapReward` if `c` is a trap, plus `bumpReward` if the move was blocked (the agent stays put).
 * A teleporting cell earns its teleport's `reward` instead. Defaults: −1, 0, −10, 0 (Example 4.1).
 *
 * ## Starting State
 * Uniform over the `S` cells; with no `S` in the layout, uniform over every cell that is neither a
 * wall, a goal nor a trap (as in Example 4.1, where every non-terminal state can be a start).
 *
 * ## Episode End
 * Terminated on entering a goal or a trap. `GridWorld-v0` is registered with a 100-step time limit;
 * layouts without terminal cells (Example 3.5) are continuing tasks that only the limit ends.
 *
 * ## Information
 * `reset` and `step` return `{ prob }`, the probability of the transition that happened.
 *
 * ## Arguments
 * {@link GridWorldOptions}: `preset`, `layout` or `rows`/`cols`, `stepReward`, `goalReward`,
 * `trapReward`, `bumpReward`, `slip`, `teleports`. With `slip > 0` a move goes in the intended
 * direction with probability `1 − slip` and in each perpendicular direction with `slip / 2`; `P[s][a]`
 * lists them as FrozenLake does: direction `(a − 1) mod 4`, `a`, `(a + 1) mod 4` (outcomes are not
 * merged, so two entries may lead to the same cell). The discount factor is not part of the env: pass
 * `gamma` to the algorithm.
 *
 * ## Version History
 * - v0: initial release (course environment, not in Gymnasium).
 */
export class GridWorldEnv extends DiscreteEnv {
  /** The layout, one string per row (letters of {@link GRID_CELLS}). */
  readonly desc: readonly string[];
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Probability that a move slips sideways. */
  readonly slip: number;
  /** Rewards as configured. */
  readonly rewards: { step: number; goal: number; trap: number; bump: number };
  /** The teleports as configured. */
  readonly teleports: readonly GridTeleport[];

  /**
   * @throws TypeError on an unknown option (e.g. `gamma`, which belongs to the algorithm) or an
   * option of the wrong type; RangeError on an unknown preset, a malformed layout (rows of different
   * lengths, unknown letters, no cell to start from), `layout` together with `rows`/`cols`, a `slip`
   * outside [0, 1], or a teleport outside the grid or on a wall.
   */
  constructor(options: GridWorldOptions = {}) {
    const given = options as Record<string, unknown>;
    checkOptionNames(given, GRIDWORLD_OPTION_NAMES, WHERE);
    const opts = withPreset(given);
    const desc = resolveLayout(opts);
    const rows = desc.length;
    const cols = desc[0].length;
    const rewards = {
      step: finiteOption(opts, "stepReward", -1),
      goal: finiteOption(opts, "goalReward", 0),
      trap: finiteOption(opts, "trapReward", -10),
      bump: finiteOption(opts, "bumpReward", 0),
    };
    const slip = probabilityOption(opts, "slip", 0, WHERE);
    const teleports = readTeleports(opts.teleports, desc);
    super(buildTable(desc, rewards, slip, teleports), startDistribution(desc), 4);
    this.desc = desc;
    this.rows = rows;
    this.cols = cols;
    this.slip = slip;
    this.rewards = rewards;
    this.teleports = teleports;
  }

  /** Same as {@link GridWorldEnv.rows} (FrozenLake's name). */
  get nrow(): number {
    return this.rows;
  }

  /** Same as {@link GridWorldEnv.cols} (FrozenLake's name). */
  get ncol(): number {
    return this.cols;
  }

  /** The state index of cell (row, col): `row * cols + col`. @throws RangeError outside the grid. */
  toState(row: number, col: number): number {
    return gridToState(row, col, this.rows, this.cols);
  }

  /** The (row, col) of state `s`. @throws RangeError when `s` is not a state. */
  toRowCol(s: number): [row: number, col: number] {
    return stateToGrid(s, this.cols, this.nS);
  }

  /** The layout letter of state `s` ({@link GRID_CELLS}). */
  cellAt(s: number): string {
    const [row, col] = this.toRowCol(s);
    return this.desc[row][col];
  }

  /** True when state `s` is a wall cell. */
  isWall(s: number): boolean {
    return this.cellAt(s) === GRID_CELLS.WALL;
  }

  /** True when state `s` is a goal or a trap (episodes end on entering it). */
  isTerminal(s: number): boolean {
    const cell = this.cellAt(s);
    return cell === GRID_CELLS.GOAL || cell === GRID_CELLS.TRAP;
  }

  /**
   * Reshapes one number per state (e.g. a value function) into a `rows × cols` matrix for a heatmap,
   * with `null` on walls (so the heatmap leaves them blank).
   * @throws RangeError when `values` does not have one entry per state.
   */
  toGrid(values: ArrayLike<number>): (number | null)[][] {
    if (values.length !== this.nS) throw new RangeError(`GridWorld.toGrid: expected ${this.nS} values, got ${values.length}`);
    return Array.from({ length: this.rows }, (_, r) =>
      Array.from({ length: this.cols }, (_, c) => (this.desc[r][c] === GRID_CELLS.WALL ? null : values[r * this.cols + c])),
    );
  }

  /**
   * Draws a deterministic policy (one action per state) as rows of arrows; walls show `#`, goals
   * `G`, traps `T`.
   * @throws RangeError when `policy` does not have one valid action per state.
   */
  policyArrows(policy: ArrayLike<number>): string[] {
    if (policy.length !== this.nS) throw new RangeError(`GridWorld.policyArrows: expected ${this.nS} actions, got ${policy.length}`);
    return this.desc.map((line, r) =>
      line
        .split("")
        .map((cell, c) => {
          if (cell === GRID_CELLS.WALL || cell === GRID_CELLS.GOAL || cell === GRID_CELLS.TRAP) return cell;
          const a = policy[r * this.cols + c];
          if (!Number.isInteger(a) || a < 0 || a > 3) throw new RangeError(`GridWorld.policyArrows: policy[${r * this.cols + c}] = ${a} is not an action`);
          return GRID_ACTION_ARROWS[a];
        })
        .join(""),
    );
  }

  /** The layout as text with the agent shown as `@`. */
  render(): string {
    const [row, col] = this.toRowCol(this.s);
    return markAgent(this.desc, row, col).join("\n") + "\n";
  }
}

function withPreset(given: Record<string, unknown>): Record<string, unknown> {
  if (given.preset === undefined) return given;
  const name = given.preset;
  if (typeof name !== "string" || !Object.hasOwn(GRIDWORLD_PRESETS, name)) {
    throw new RangeError(
      `${WHERE}: unknown preset ${JSON.stringify(name)} (accepted: ${Object.keys(GRIDWORLD_PRESETS).map((k) => JSON.stringify(k)).join(", ")})`,
    );
  }
  const preset = GRIDWORLD_PRESETS[name as keyof typeof GRIDWORLD_PRESETS] as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...preset };
  // An explicit layout or size replaces the preset's grid as a whole.
  if (given.layout !== undefined || given.rows !== undefined || given.cols !== undefined) {
    delete merged.layout;
    delete merged.rows;
    delete merged.cols;
  }
  for (const [key, value] of Object.entries(given)) if (key !== "preset" && value !== undefined) merged[key] = value;
  return merged;
}

function finiteOption(opts: Record<string, unknown>, name: string, fallback: number): number {
  const value = opts[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${WHERE}: option ${name} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolveLayout(opts: Record<string, unknown>): string[] {
  let desc: string[];
  if (opts.layout !== undefined) {
    if (opts.rows !== undefined || opts.cols !== undefined) {
      throw new RangeError(`${WHERE}: give either option layout or options rows/cols, not both`);
    }
    desc = checkCharGrid(opts.layout, "layout", ".SGT#", WHERE);
  } else {
    const rows = integerOption(opts, "rows", 4, WHERE, 1, 1000);
    const cols = integerOption(opts, "cols", 4, WHERE, 1, 1000);
    if (rows * cols < 3) throw new RangeError(`${WHERE}: options rows x cols must give at least 3 cells, got ${rows}x${cols}`);
    desc = Array.from({ length: rows }, () => ".".repeat(cols));
    desc[0] = "G" + desc[0].slice(1);
    desc[rows - 1] = desc[rows - 1].slice(0, cols - 1) + "G";
  }
  const open = desc.some((line) => line.includes("S") || line.includes("."));
  if (!open) throw new RangeError(`${WHERE}: option layout has no cell to start from (needs an 'S' or a '.')`);
  return desc;
}

function readTeleports(value: unknown, desc: readonly string[]): GridTeleport[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${WHERE}: option teleports must be an array of { from, to, reward }, got ${JSON.stringify(value)}`);
  const rows = desc.length;
  const cols = desc[0].length;
  const cell = (v: unknown, i: number, key: string): [number, number] => {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x))) {
      throw new TypeError(`${WHERE}: option teleports[${i}].${key} must be a [row, col] pair of integers, got ${JSON.stringify(v)}`);
    }
    const [r, c] = v as [number, number];
    if (r < 0 || r >= rows || c < 0 || c >= cols) {
      throw new RangeError(`${WHERE}: option teleports[${i}].${key} = [${r}, ${c}] is outside the ${rows}x${cols} grid`);
    }
    if (desc[r][c] === GRID_CELLS.WALL) throw new RangeError(`${WHERE}: option teleports[${i}].${key} = [${r}, ${c}] is a wall`);
    return [r, c];
  };
  const seen = new Set<string>();
  return value.map((t: unknown, i) => {
    if (typeof t !== "object" || t === null) throw new TypeError(`${WHERE}: option teleports[${i}] must be { from, to, reward }`);
    const { from, to, reward } = t as Record<string, unknown>;
    const f = cell(from, i, "from");
    const d = cell(to, i, "to");
    if (typeof reward !== "number" || !Number.isFinite(reward)) {
      throw new TypeError(`${WHERE}: option teleports[${i}].reward must be a finite number, got ${JSON.stringify(reward)}`);
    }
    const key = f.join(",");
    if (seen.has(key)) throw new RangeError(`${WHERE}: option teleports has two teleports from [${key}]`);
    seen.add(key);
    return { from: f, to: d, reward };
  });
}

/** Uniform over the `S` cells; with none, over every cell that is neither a wall, a goal nor a trap. */
function startDistribution(desc: readonly string[]): Float64Array {
  const hasStart = desc.some((line) => line.includes(GRID_CELLS.START));
  return uniformOverCells(desc, hasStart ? GRID_CELLS.START : `${GRID_CELLS.START}${GRID_CELLS.EMPTY}`);
}

function buildTable(
  desc: readonly string[],
  rewards: { step: number; goal: number; trap: number; bump: number },
  slip: number,
  teleports: readonly GridTeleport[],
): TransitionTable {
  const rows = desc.length;
  const cols = desc[0].length;
  const jump = new Map<number, GridTeleport>();
  for (const t of teleports) jump.set(t.from[0] * cols + t.from[1], t);

  const outcome = (prob: number, row: number, col: number, direction: number): Transition => {
    let r = row + DELTAS[direction][0];
    let c = col + DELTAS[direction][1];
    const blocked = r < 0 || r >= rows || c < 0 || c >= cols || desc[r][c] === GRID_CELLS.WALL;
    if (blocked) {
      r = row;
      c = col;
    }
    const cell = desc[r][c];
    let reward = rewards.step + (blocked ? rewards.bump : 0);
    if (cell === GRID_CELLS.GOAL) reward += rewards.goal;
    if (cell === GRID_CELLS.TRAP) reward += rewards.trap;
    return [prob, r * cols + c, reward, cell === GRID_CELLS.GOAL || cell === GRID_CELLS.TRAP];
  };

  // Walls, goals and traps are absorbing; a teleport's cell jumps; elsewhere the (slippery) moves.
  return letterMapTable(desc, `${GRID_CELLS.WALL}${GRID_CELLS.GOAL}${GRID_CELLS.TRAP}`, (row, col, s, a) => {
    const teleport = jump.get(s);
    if (teleport) {
      const [r, c] = teleport.to;
      const landing = desc[r][c];
      return [[1.0, r * cols + c, teleport.reward, landing === GRID_CELLS.GOAL || landing === GRID_CELLS.TRAP]];
    }
    return slipperyMoves(a, slip > 0, 1 - slip, slip / 2, (prob, d) => outcome(prob, row, col, d));
  });
}
