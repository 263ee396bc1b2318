/**
 * CliffWalking, after Gymnasium 1.4.0's `gymnasium/envs/toy_text/cliffwalking.py`.
 */
import { checkOptionNames } from "../core";
import { DiscreteEnv, booleanOption, gridToState, stateToGrid, type Transition, type TransitionTable } from "./discrete_env";

/** Action indices of CliffWalking (Gymnasium's `UP, RIGHT, DOWN, LEFT`). */
export const CLIFF_WALKING_ACTIONS = { UP: 0, RIGHT: 1, DOWN: 2, LEFT: 3 } as const;

/** Options of {@link CliffWalkingEnv} (Gymnasium's keyword arguments, camelCased). */
export interface CliffWalkingOptions {
  /** Whether moves may slip sideways (default false). */
  isSlippery?: boolean;
}

/** Names of the options {@link CliffWalkingEnv} accepts. */
export const CLIFF_WALKING_OPTION_NAMES = ["isSlippery"] as const;

const NROW = 4;
const NCOL = 12;
/** (row, col) change of each action, indexed by action. */
const DELTAS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];

/**
 * Cliff walking: cross a 4x12 grid from start to goal without stepping off the cliff. Faithful to
 * Gymnasium 1.4.0's `CliffWalkingEnv` (`CliffWalking-v1`): {@link CliffWalkingEnv.P} equals
 * Gymnasium's `env.P` entry for entry. Adapted from Example 6.6 of Sutton & Barto,
 * "Reinforcement Learning: An Introduction" (2nd ed., 2018).
 *
 * ## Description
 * The agent starts at (3, 0), the bottom-left cell; the goal is (3, 11), the bottom-right cell. The
 * cells (3, 1) … (3, 10) between them are the cliff: stepping onto one sends the agent back to the
 * start. The episode ends when the agent reaches the goal. With `isSlippery` the agent may move
 * perpendicular to the chosen direction.
 *
 * ## Action Space
 * `Discrete(4)`: 0 = up, 1 = right, 2 = down, 3 = left ({@link CLIFF_WALKING_ACTIONS}).
 *
 * ## Observation Space
 * `Discrete(48)`: the agent's cell as `row * 12 + col`; the start is 3 * 12 + 0 = 36. The agent is
 * never observed on the cliff or (the episode having ended) at the goal, so 3 x 12 + 1 = 37 states
 * occur, but the table covers all 48 cells as Gymnasium's does.
 *
 * ## Rewards
 * −1 per step, and −100 for stepping onto the cliff (which also sends the agent to the start).
 *
 * ## Starting State
 * State 36, cell (3, 0).
 *
 * ## Episode End
 * Terminated when the agent enters state 47, cell (3, 11). `CliffWalking-v1` has no time limit in
 * Gymnasium's registry (so `make` adds none).
 *
 * ## Information
 * `reset` and `step` return `{ prob }`: 1 without slipping, 1/3 per outcome with it.
 *
 * ## Arguments
 * {@link CliffWalkingOptions}: `isSlippery` (default false). When slippery, each action moves in the
 * intended direction or either perpendicular one with probability 1/3 each; `P[s][a]` lists them in
 * the order direction `(a - 1) mod 4`, `a`, `(a + 1) mod 4`, as Gymnasium does.
 *
 * ## Version History
 * - v1: slippery variant added (`isSlippery`).
 * - v0: initial release.
 */
export class CliffWalkingEnv extends DiscreteEnv {
  /** Number of rows (4). */
  readonly nrow = NROW;
  /** Number of columns (12). */
  readonly ncol = NCOL;
  /** Gymnasium's `shape`: `[4, 12]`. */
  readonly shape: readonly [number, number] = [NROW, NCOL];
  /** The start state, 36. */
  readonly startStateIndex = 3 * NCOL;
  /** Whether moves may slip sideways. */
  readonly isSlippery: boolean;
  /**
   * The grid as text, one string per row: `S` start, `G` goal, `C` cliff, `.` open ground (for
   * display; Gymnasium keeps a boolean cliff array instead).
   */
  readonly desc: readonly string[] = [".".repeat(NCOL), ".".repeat(NCOL), ".".repeat(NCOL), "S" + "C".repeat(NCOL - 2) + "G"];

  /** @throws TypeError on an unknown option or when `isSlippery` is not a boolean. */
  constructor(options: CliffWalkingOptions = {}) {
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, CLIFF_WALKING_OPTION_NAMES, "CliffWalking");
    const isSlippery = booleanOption(opts, "isSlippery", false, "CliffWalking");
    const isd = new Float64Array(NROW * NCOL);
    isd[3 * NCOL] = 1.0;
    super(buildTable(isSlippery), isd, 4);
    this.isSlippery = isSlippery;
  }

  /** The state index of cell (row, col): `row * 12 + col`. @throws RangeError outside the grid. */
  toState(row: number, col: number): number {
    return gridToState(row, col, NROW, NCOL);
  }

  /** The (row, col) of state `s`. @throws RangeError when `s` is not a state. */
  toRowCol(s: number): [row: number, col: number] {
    return stateToGrid(s, NCOL, this.nS);
  }

  /** True when state `s` is a cliff cell, (3, 1) … (3, 10). */
  isCliff(s: number): boolean {
    const [row, col] = this.toRowCol(s);
    return isCliffCell(row, col);
  }

  /** The grid as text: `x` marks the agent, `T` the goal, `C` the cliff, `o` open ground (Gymnasium's "ansi" render). */
  render(): string {
    const lines: string[] = [];
    for (let row = 0; row < NROW; row++) {
      const cells: string[] = [];
      for (let col = 0; col < NCOL; col++) {
        const s = row * NCOL + col;
        cells.push(s === this.s ? "x" : row === 3 && col === NCOL - 1 ? "T" : isCliffCell(row, col) ? "C" : "o");
      }
      lines.push(cells.join("  "));
    }
    return lines.join("\n") + "\n\n";
  }
}

function isCliffCell(row: number, col: number): boolean {
  return row === 3 && col >= 1 && col <= NCOL - 2;
}

/** Builds `P` exactly as Gymnasium's `CliffWalkingEnv._calculate_transition_prob` does. */
function buildTable(isSlippery: boolean): TransitionTable {
  const start = 3 * NCOL;
  const P: TransitionTable = [];
  for (let s = 0; s < NROW * NCOL; s++) {
    const row = Math.floor(s / NCOL);
    const col = s % NCOL;
    const actions: Transition[][] = [];
    for (let move = 0; move < 4; move++) {
      const directions = isSlippery ? [(move + 3) % 4, move, (move + 1) % 4] : [move];
      const prob = 1 / directions.length;
      actions.push(
        directions.map((d): Transition => {
          const r = Math.min(Math.max(row + DELTAS[d][0], 0), NROW - 1);
          const c = Math.min(Math.max(col + DELTAS[d][1], 0), NCOL - 1);
          if (isCliffCell(r, c)) return [prob, start, -100, false];
          return [prob, r * NCOL + c, -1, r === NROW - 1 && c === NCOL - 1];
        }),
      );
    }
    P.push(actions);
  }
  return P;
}
