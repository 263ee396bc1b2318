/**
 * FrozenLake, after Gymnasium 1.4.0's `gymnasium/envs/toy_text/frozen_lake.py`.
 */
import { checkOptionNames } from "../core";
import { Rng, toRng } from "../../random";
import {
  DiscreteEnv,
  booleanOption,
  checkCharGrid,
  gridToState,
  probabilityOption,
  stateToGrid,
  type Transition,
  type TransitionTable,
} from "./discrete_env";
import { letterMapTable, markAgent, slipperyMoves, uniformOverCells } from "./letter_map";

/** Action indices of FrozenLake (Gymnasium's `LEFT, DOWN, RIGHT, UP`). */
export const FROZEN_LAKE_ACTIONS = { LEFT: 0, DOWN: 1, RIGHT: 2, UP: 3 } as const;

/** Gymnasium's preloaded maps. */
export const FROZEN_LAKE_MAPS: Readonly<Record<"4x4" | "8x8", readonly string[]>> = {
  "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
  "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
};

/** Options of {@link FrozenLakeEnv} (Gymnasium's keyword arguments, camelCased). */
export interface FrozenLakeOptions {
  /** A custom map, one string per row (letters S, F, H, G); takes precedence over `mapName`. */
  desc?: readonly string[];
  /** `"4x4"` (default) or `"8x8"`; `null` with no `desc` generates a random 8x8 map. */
  mapName?: "4x4" | "8x8" | null;
  /** Whether moves may slip sideways (default true). */
  isSlippery?: boolean;
  /** On slippery ice, the probability of moving in the intended direction (default 1/3). */
  successRate?: number;
  /** Rewards for entering a `[goal, hole, frozen]` tile (default `[1, 0, 0]`). */
  rewardSchedule?: readonly [number, number, number];
}

/** Names of the options {@link FrozenLakeEnv} accepts. */
export const FROZEN_LAKE_OPTION_NAMES = ["desc", "mapName", "isSlippery", "successRate", "rewardSchedule"] as const;

const WHERE = "FrozenLake";

/**
 * Frozen lake: cross a frozen lake from the start tile to the goal tile without falling through a
 * hole; the ice may be slippery. Faithful to Gymnasium 1.4.0's `FrozenLakeEnv` (`FrozenLake-v1`):
 * the transition table {@link FrozenLakeEnv.P} equals Gymnasium's `env.P` entry for entry.
 *
 * ## Description
 * The agent starts on the `S` tile (top-left in the preloaded maps) and the goal `G` is at the far
 * corner, e.g. (3, 3) on the 4x4 map. `H` tiles are holes, `F` tiles are frozen and walkable. Holes
 * sit at fixed places on the preloaded maps or at random places on a generated map
 * ({@link generateRandomMap}, which only returns maps with a path from start to goal). An episode
 * ends on reaching the goal or falling into a hole. On slippery ice the agent may move
 * perpendicular to the direction it chose.
 *
 * ## Action Space
 * `Discrete(4)`: 0 = left, 1 = down, 2 = right, 3 = up ({@link FROZEN_LAKE_ACTIONS}).
 *
 * ## Observation Space
 * `Discrete(nrow * ncol)`: the agent's tile as `row * ncol + col` (rows and columns from 0); the goal
 * of the 4x4 map is 3 * 4 + 3 = 15.
 *
 * ## Rewards
 * With the default `rewardSchedule = [1, 0, 0]`: +1 for entering the goal, 0 for entering a hole,
 * 0 for entering a frozen (or start) tile.
 *
 * ## Starting State
 * A state drawn from {@link FrozenLakeEnv.initialStateDistrib}: uniform over the `S` tiles (one on the
 * preloaded maps, so the episode starts in state 0).
 *
 * ## Episode End
 * Terminated when the agent enters a hole or the goal. Truncated by the time limit of `make`: 100
 * steps for `FrozenLake-v1`, 200 for `FrozenLake8x8-v1`.
 *
 * ## Information
 * `reset` and `step` return `{ prob }`, the probability of the transition that happened (1 on reset).
 *
 * ## Arguments
 * {@link FrozenLakeOptions}: `desc`, `mapName` ("4x4" | "8x8" | null), `isSlippery` (true),
 * `successRate` (1/3), `rewardSchedule` ([1, 0, 0]). On slippery ice the intended move happens with
 * probability `successRate` and each perpendicular move with `(1 - successRate) / 2`; with the
 * default 1/3 the three moves are equally likely, e.g. action left gives P(left) = P(down) = P(up) = 1/3.
 * `P[s][a]` lists the outcomes in the order: direction `(a - 1) mod 4`, direction `a`,
 * direction `(a + 1) mod 4`, as Gymnasium does. Holes and the goal are absorbing:
 * `P[s][a] = [[1, s, 0, true]]`.
 *
 * ## Version History
 * - v1: bug fixes to rewards; later Gymnasium 1.x releases added `success_rate` and
 *   `reward_schedule` (here `successRate`, `rewardSchedule`).
 * - v0: initial release.
 */
export class FrozenLakeEnv extends DiscreteEnv {
  /** The map, one string per row. */
  readonly desc: readonly string[];
  /** Number of rows of the map. */
  readonly nrow: number;
  /** Number of columns of the map. */
  readonly ncol: number;
  /** Whether the ice is slippery. */
  readonly isSlippery: boolean;
  /** Probability of the intended move on slippery ice. */
  readonly successRate: number;
  /** Rewards for entering a goal, hole, frozen tile. */
  readonly rewardSchedule: readonly [number, number, number];

  /**
   * @throws TypeError on an unknown option or an option of the wrong type; RangeError on an unknown
   * `mapName`, a malformed `desc` (rows of different lengths, letters other than S F H G, no S or no G),
   * a `successRate` outside [0, 1] or a `rewardSchedule` that is not three finite numbers.
   */
  constructor(options: FrozenLakeOptions = {}) {
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, FROZEN_LAKE_OPTION_NAMES, WHERE);
    const desc = resolveMap(opts);
    const isSlippery = booleanOption(opts, "isSlippery", true, WHERE);
    const successRate = probabilityOption(opts, "successRate", 1 / 3, WHERE);
    const rewardSchedule = readRewardSchedule(opts.rewardSchedule);
    const nrow = desc.length;
    const ncol = desc[0].length;
    super(buildTable(desc, isSlippery, successRate, rewardSchedule), uniformOverCells(desc, "S"), 4);
    this.desc = desc;
    this.nrow = nrow;
    this.ncol = ncol;
    this.isSlippery = isSlippery;
    this.successRate = successRate;
    this.rewardSchedule = rewardSchedule;
  }

  /** The state index of tile (row, col): `row * ncol + col`. @throws RangeError outside the map. */
  toState(row: number, col: number): number {
    return gridToState(row, col, this.nrow, this.ncol);
  }

  /** The (row, col) of state `s`. @throws RangeError when `s` is not a state. */
  toRowCol(s: number): [row: number, col: number] {
    return stateToGrid(s, this.ncol, this.nS);
  }

  /** The map letter (S, F, H or G) under state `s`. */
  tileAt(s: number): string {
    const [row, col] = this.toRowCol(s);
    return this.desc[row][col];
  }

  /**
   * The map as text, the agent's tile shown as `@`, under the last action's name (Gymnasium's
   * "ansi" render, without colours).
   */
  render(): string {
    const [row, col] = this.toRowCol(this.s);
    const lines = markAgent(this.desc, row, col);
    const header = this.lastAction === null ? "" : `  (${["Left", "Down", "Right", "Up"][this.lastAction]})`;
    return `${header}\n${lines.join("\n")}\n`;
  }
}

function resolveMap(opts: Record<string, unknown>): string[] {
  if (opts.desc !== undefined && opts.desc !== null) {
    const desc = checkCharGrid(opts.desc, "desc", "SFHG", WHERE);
    if (!desc.some((row) => row.includes("S"))) throw new RangeError(`${WHERE}: option desc has no start tile 'S'`);
    if (!desc.some((row) => row.includes("G"))) throw new RangeError(`${WHERE}: option desc has no goal tile 'G'`);
    return desc;
  }
  const mapName = opts.mapName === undefined ? "4x4" : opts.mapName;
  if (mapName === null) return generateRandomMap();
  if (mapName !== "4x4" && mapName !== "8x8") {
    throw new RangeError(`${WHERE}: unknown mapName ${JSON.stringify(mapName)} (accepted: "4x4", "8x8", or null for a random 8x8 map)`);
  }
  return [...FROZEN_LAKE_MAPS[mapName]];
}

function readRewardSchedule(value: unknown): [number, number, number] {
  if (value === undefined) return [1, 0, 0];
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new TypeError(
      `${WHERE}: option rewardSchedule must be three finite numbers [goal, hole, frozen], got ${JSON.stringify(value)}`,
    );
  }
  return [value[0], value[1], value[2]];
}

/** Builds `P` exactly as Gymnasium's `FrozenLakeEnv.__init__` does. */
function buildTable(
  desc: readonly string[],
  isSlippery: boolean,
  successRate: number,
  rewardSchedule: readonly [number, number, number],
): TransitionTable {
  const nrow = desc.length;
  const ncol = desc[0].length;
  const failRate = (1.0 - successRate) / 2.0;

  const move = (row: number, col: number, a: number): [number, number] => {
    if (a === 0) col = Math.max(col - 1, 0);
    else if (a === 1) row = Math.min(row + 1, nrow - 1);
    else if (a === 2) col = Math.min(col + 1, ncol - 1);
    else row = Math.max(row - 1, 0);
    return [row, col];
  };
  const outcome = (prob: number, row: number, col: number, a: number): Transition => {
    const [r, c] = move(row, col, a);
    const letter = desc[r][c];
    const reward = letter === "G" ? rewardSchedule[0] : letter === "H" ? rewardSchedule[1] : rewardSchedule[2];
    return [prob, r * ncol + c, reward, letter === "G" || letter === "H"];
  };

  // Holes and the goal are absorbing; elsewhere the intended move, or the three moves on slippery ice.
  return letterMapTable(desc, "GH", (row, col, _s, a) =>
    slipperyMoves(a, isSlippery, successRate, failRate, (prob, b) => outcome(prob, row, col, b)),
  );
}

/**
 * True when a path of non-hole tiles joins the top-left tile to a `G` tile, moving up, down, left
 * and right (Gymnasium's `is_valid` depth-first search, generalised to rectangular maps).
 */
export function isValidMap(board: readonly string[]): boolean {
  const nrow = board.length;
  const ncol = nrow > 0 ? board[0].length : 0;
  if (nrow === 0 || ncol === 0) return false;
  const seen = new Uint8Array(nrow * ncol);
  const frontier: [number, number][] = [[0, 0]];
  while (frontier.length > 0) {
    const [r, c] = frontier.pop()!;
    if (seen[r * ncol + c]) continue;
    seen[r * ncol + c] = 1;
    for (const [dr, dc] of [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ]) {
      const rn = r + dr;
      const cn = c + dc;
      if (rn < 0 || rn >= nrow || cn < 0 || cn >= ncol) continue;
      if (board[rn][cn] === "G") return true;
      if (board[rn][cn] !== "H") frontier.push([rn, cn]);
    }
  }
  return false;
}

/**
 * A random `size × size` map with a path from start to goal (Gymnasium's `generate_random_map`):
 * each tile is frozen with probability `p`, otherwise a hole; the top-left tile is `S` and the
 * bottom-right `G`; boards without a path are redrawn.
 *
 * It draws from our {@link Rng}, so a seed gives the same map on every machine, but not the map
 * numpy would give for that seed.
 *
 * @param size side of the board, an integer >= 2 (default 8).
 * @param p probability that a tile is frozen, in (0, 1] (default 0.8; values above 1 count as 1).
 * @param seed a seed or an {@link Rng}; omitted: an unseeded generator.
 * @throws RangeError on a bad `size` or `p`, or when no valid board turns up in 100 000 draws.
 */
export function generateRandomMap(size = 8, p = 0.8, seed?: number | Rng): string[] {
  if (!Number.isSafeInteger(size) || size < 2) {
    throw new RangeError(`generateRandomMap: size must be an integer >= 2, got ${size}`);
  }
  if (typeof p !== "number" || !(p > 0)) {
    throw new RangeError(`generateRandomMap: p (probability of a frozen tile) must be in (0, 1], got ${p}`);
  }
  const frozen = Math.min(1, p);
  const rng = toRng(seed);
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const board: string[] = [];
    for (let r = 0; r < size; r++) {
      let line = "";
      for (let c = 0; c < size; c++) line += rng.random() < frozen ? "F" : "H";
      board.push(line);
    }
    board[0] = "S" + board[0].slice(1);
    board[size - 1] = board[size - 1].slice(0, size - 1) + "G";
    if (isValidMap(board)) return board;
  }
  throw new RangeError(`generateRandomMap: no map with a path to the goal in 100000 draws (size=${size}, p=${p}); raise p`);
}
