/**
 * Taxi, after Gymnasium 1.4.0's `gymnasium/envs/toy_text/taxi.py` (`Taxi-v4`).
 */
import { checkOptionNames, type Info, type StepResult } from "../core";
import { DiscreteEnv, booleanOption, probabilityOption, type Transition, type TransitionTable } from "./discrete_env";

/** Action indices of Taxi. */
export const TAXI_ACTIONS = { SOUTH: 0, NORTH: 1, EAST: 2, WEST: 3, PICKUP: 4, DROPOFF: 5 } as const;

/** The Taxi map: `|` is a wall, `:` an open boundary between two cells. */
export const TAXI_MAP: readonly string[] = [
  "+---------+",
  "|R: | : :G|",
  "| : | : : |",
  "| : : : : |",
  "| | : | : |",
  "|Y| : |B: |",
  "+---------+",
];

/** (row, col) of the four named locations, in index order: Red, Green, Yellow, Blue. */
export const TAXI_LOCATIONS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 4],
  [4, 0],
  [4, 3],
];

/** Options of {@link TaxiEnv} (Gymnasium's keyword arguments, camelCased). */
export interface TaxiOptions {
  /** Whether moves may veer sideways (Gymnasium `is_rainy`, default false). */
  isRainy?: boolean;
  /** Whether the passenger may change destination once after pickup (Gymnasium `fickle_passenger`, default false). */
  ficklePassenger?: boolean;
  /** In the rain, the probability of moving in the intended direction (default 0.8). */
  rainyProbability?: number;
  /** With a fickle passenger, the probability that the destination changes (default 0.3). */
  fickleProbability?: number;
}

/** Names of the options {@link TaxiEnv} accepts. */
export const TAXI_OPTION_NAMES = ["isRainy", "ficklePassenger", "rainyProbability", "fickleProbability"] as const;

const WHERE = "Taxi";
const MAX_ROW = 4;
const MAX_COL = 4;
const N_STATES = 500;
const N_ACTIONS = 6;
/** Sideways directions of each move when it veers: [left, right] relative to the heading. */
const VEER: readonly (readonly [number, number])[] = [
  [TAXI_ACTIONS.EAST, TAXI_ACTIONS.WEST], // heading south
  [TAXI_ACTIONS.WEST, TAXI_ACTIONS.EAST], // heading north
  [TAXI_ACTIONS.NORTH, TAXI_ACTIONS.SOUTH], // heading east
  [TAXI_ACTIONS.SOUTH, TAXI_ACTIONS.NORTH], // heading west
];

/**
 * The taxi problem (Dietterich, "Hierarchical Reinforcement Learning with the MAXQ Value Function
 * Decomposition", JAIR 13, 2000): drive to the passenger, pick them up, drive to their destination
 * and drop them off. Faithful to Gymnasium 1.4.0's `TaxiEnv` (`Taxi-v4`): with default options
 * {@link TaxiEnv.P} equals Gymnasium's `env.P` entry for entry.
 *
 * ## Description
 * A 5x5 grid ({@link TAXI_MAP}) with four named locations: Red (0, 0), Green (0, 4), Yellow (4, 0)
 * and Blue (4, 3). The taxi starts on a random cell, the passenger at one of the named locations
 * and the destination is another one. The episode ends when the passenger is dropped off at the
 * destination. Illegal pickups and drop-offs are penalised, and every other step costs 1.
 *
 * ## Action Space
 * `Discrete(6)`: 0 = south (down), 1 = north (up), 2 = east (right), 3 = west (left), 4 = pick up the
 * passenger, 5 = drop off the passenger ({@link TAXI_ACTIONS}).
 *
 * ## Observation Space
 * `Discrete(500)`: 25 taxi cells × 5 passenger locations (0–3 = Red, Green, Yellow, Blue, 4 = in the
 * taxi) × 4 destinations (0–3), encoded as `((taxiRow * 5 + taxiCol) * 5 + passengerLocation) * 4 +
 * destination` ({@link TaxiEnv.encode} / {@link TaxiEnv.decode}). 400 states occur during an
 * episode (the passenger is never waiting at their own destination), plus 4 seen right after a
 * successful drop-off: 404 reachable states.
 *
 * ## Rewards
 * −1 per step unless another reward applies; +20 for delivering the passenger; −10 for an illegal
 * pickup or drop-off. A move into a wall is a no-op that still costs −1 (the action mask in `info`
 * tells which actions change the state).
 *
 * ## Starting State
 * Uniform over the 300 states where the passenger is waiting (not in the taxi) at a location other
 * than their destination: 25 taxi cells × 4 passenger locations × 3 destinations.
 *
 * ## Episode End
 * Terminated when the passenger is dropped off at their destination. Truncated after 200 steps by
 * `make` (Gymnasium's registry: max_episode_steps 200, reward_threshold 8).
 *
 * ## Information
 * `reset` and `step` return `{ prob, actionMask }`: the probability of the transition that happened
 * and an `Int8Array` of 6 flags, 1 for each action that changes the state ({@link TaxiEnv.actionMask};
 * Gymnasium's `action_mask`).
 *
 * ## Arguments
 * {@link TaxiOptions}:
 * - `isRainy` (false): a move that is not blocked goes in the intended direction with probability
 *   `rainyProbability` (0.8) and veers to the left or the right of the heading with probability
 *   `(1 - rainyProbability) / 2` each, staying put when the sideways move is blocked. `P[s][a]` for a
 *   move then has three entries: ahead, left, right (south: left = east, right = west; north: left =
 *   west, right = east; east: left = north, right = south; west: left = south, right = north). A
 *   blocked move stays put in all three entries. Pickup and drop-off stay deterministic.
 * - `ficklePassenger` (false): once per episode, on the first move that changes the taxi's cell with
 *   the passenger on board, the passenger switches with probability `fickleProbability` (0.3) to one
 *   of the three other destinations, chosen uniformly. The switch is not part of `P` (Gymnasium's
 *   neither), so with a fickle passenger the table describes the dynamics only up to it.
 *
 * ## Version History
 * - v4 (Gymnasium 1.3.0): fixed the `is_rainy` and `fickle_passenger` dynamics; added
 *   `rainy_probability` and `fickle_probability`.
 * - v3: map correction and cleaner description; action masks in `info` (0.25.0); `is_rainy` and
 *   `fickle_passenger` (1.2.0).
 * - v2: the taxi no longer starts with the passenger at the destination; observation and reward
 *   threshold updates.
 * - v1: removed (3, 2) from the locations; passenger index check.
 * - v0: initial release.
 */
export class TaxiEnv extends DiscreteEnv {
  /** The map, one string per row of text. */
  readonly desc: readonly string[] = TAXI_MAP;
  /** The named locations (Red, Green, Yellow, Blue). */
  readonly locs: readonly (readonly [number, number])[] = TAXI_LOCATIONS;
  /** Whether moves may veer sideways. */
  readonly isRainy: boolean;
  /** Probability of the intended move in the rain. */
  readonly rainyProbability: number;
  /** Whether the passenger may change destination once per episode. */
  readonly ficklePassenger: boolean;
  /** Probability that a fickle passenger changes destination. */
  readonly fickleProbability: number;
  /** Whether the passenger will still change destination this episode (drawn at reset). */
  fickleStep = false;

  /** @throws TypeError on an unknown or ill-typed option; RangeError on a probability outside [0, 1]. */
  constructor(options: TaxiOptions = {}) {
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, TAXI_OPTION_NAMES, WHERE);
    const isRainy = booleanOption(opts, "isRainy", false, WHERE);
    const ficklePassenger = booleanOption(opts, "ficklePassenger", false, WHERE);
    const rainyProbability = probabilityOption(opts, "rainyProbability", 0.8, WHERE);
    const fickleProbability = probabilityOption(opts, "fickleProbability", 0.3, WHERE);
    const [P, isd] = buildTable(isRainy, rainyProbability);
    super(P, isd, N_ACTIONS);
    this.isRainy = isRainy;
    this.rainyProbability = rainyProbability;
    this.ficklePassenger = ficklePassenger;
    this.fickleProbability = fickleProbability;
  }

  /** The state index of (taxi row, taxi col, passenger location 0–4, destination 0–3). */
  encode(taxiRow: number, taxiCol: number, passLoc: number, destIdx: number): number {
    const ok = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
    if (!ok(taxiRow, 5) || !ok(taxiCol, 5) || !ok(passLoc, 5) || !ok(destIdx, 4)) {
      throw new RangeError(
        `Taxi.encode: expected taxiRow, taxiCol in 0..4, passLoc in 0..4, destIdx in 0..3, got (${taxiRow}, ${taxiCol}, ${passLoc}, ${destIdx})`,
      );
    }
    return encode(taxiRow, taxiCol, passLoc, destIdx);
  }

  /** `[taxiRow, taxiCol, passLoc, destIdx]` of state `s`. @throws RangeError when `s` is not a state. */
  decode(s: number): [taxiRow: number, taxiCol: number, passLoc: number, destIdx: number] {
    if (!Number.isInteger(s) || s < 0 || s >= N_STATES) throw new RangeError(`Taxi.decode: state must be an integer in [0, 499], got ${s}`);
    return decode(s);
  }

  /** 1 for each action that changes state `s`, else 0 (Gymnasium's `action_mask(state)`). */
  actionMask(s: number): Int8Array {
    const [row, col, passLoc] = this.decode(s);
    const mask = new Int8Array(N_ACTIONS);
    if (row < MAX_ROW) mask[0] = 1;
    if (row > 0) mask[1] = 1;
    if (col < MAX_COL && TAXI_MAP[row + 1][2 * col + 2] === ":") mask[2] = 1;
    if (col > 0 && TAXI_MAP[row + 1][2 * col] === ":") mask[3] = 1;
    if (passLoc < 4 && sameCell([row, col], TAXI_LOCATIONS[passLoc])) mask[4] = 1;
    // Gymnasium tests "at the destination or at any named location", which is the latter.
    if (passLoc === 4 && locationIndex(row, col) >= 0) mask[5] = 1;
    return mask;
  }

  /**
   * The map as text with the taxi marked `@` (`&` with the passenger aboard), a line naming the
   * passenger's location and destination, then the last action.
   */
  render(): string {
    const [row, col, passLoc, destIdx] = this.decode(this.s);
    const lines = TAXI_MAP.map((line) => line.split(""));
    lines[1 + row][2 * col + 1] = passLoc === 4 ? "&" : "@";
    const colours = ["Red", "Green", "Yellow", "Blue"];
    const legend = `  passenger: ${passLoc === 4 ? "in the taxi" : colours[passLoc]}, destination: ${colours[destIdx]}`;
    const names = ["South", "North", "East", "West", "Pickup", "Dropoff"];
    const footer = this.lastAction === null ? "" : `  (${names[this.lastAction]})`;
    return `${lines.map((l) => l.join("")).join("\n")}\n${legend}\n${footer}\n`;
  }

  protected override resetEnv(options: Record<string, unknown>): [number, Info] {
    const result = super.resetEnv(options);
    this.fickleStep = this.ficklePassenger && this.rng.random() < this.fickleProbability;
    return result;
  }

  protected override stepEnv(action: number): StepResult<number> {
    const [prob, sampled, reward, terminated] = this.sampleTransition(this.s, action);
    let next = sampled;
    if (this.fickleStep) {
      const [prevRow, prevCol, prevPass, prevDest] = decode(this.s);
      const [row, col, passLoc] = decode(sampled);
      if (prevPass === 4 && (row !== prevRow || col !== prevCol)) {
        this.fickleStep = false;
        const others = [0, 1, 2, 3].filter((d) => d !== prevDest);
        next = encode(row, col, passLoc, others[this.rng.integers(0, others.length)]);
      }
    }
    this.s = next;
    this.lastAction = action;
    return [next, reward, terminated, false, this.makeInfo(prob)];
  }

  protected override makeInfo(prob: number): Info {
    return { prob, actionMask: this.actionMask(this.s) };
  }
}

function encode(taxiRow: number, taxiCol: number, passLoc: number, destIdx: number): number {
  return ((taxiRow * 5 + taxiCol) * 5 + passLoc) * 4 + destIdx;
}

function decode(s: number): [number, number, number, number] {
  const destIdx = s % 4;
  s = Math.floor(s / 4);
  const passLoc = s % 5;
  s = Math.floor(s / 5);
  return [Math.floor(s / 5), s % 5, passLoc, destIdx];
}

function sameCell(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** Index of the named location at (row, col), or −1. */
function locationIndex(row: number, col: number): number {
  return TAXI_LOCATIONS.findIndex((loc) => loc[0] === row && loc[1] === col);
}

/** Where a move in `direction` from (row, col) leads: the neighbouring cell, or (row, col) when blocked. */
function moveTaxi(row: number, col: number, direction: number): [number, number] {
  switch (direction) {
    case TAXI_ACTIONS.SOUTH:
      return [Math.min(row + 1, MAX_ROW), col];
    case TAXI_ACTIONS.NORTH:
      return [Math.max(row - 1, 0), col];
    case TAXI_ACTIONS.EAST:
      return TAXI_MAP[1 + row][2 * col + 2] === ":" ? [row, Math.min(col + 1, MAX_COL)] : [row, col];
    default:
      return TAXI_MAP[1 + row][2 * col] === ":" ? [row, Math.max(col - 1, 0)] : [row, col];
  }
}

/** Builds `P` and the start distribution as Gymnasium's `TaxiEnv.__init__` does (loop order row, col, passenger, destination). */
function buildTable(isRainy: boolean, rainyProbability: number): [TransitionTable, Float64Array] {
  const P: TransitionTable = Array.from({ length: N_STATES }, () => []);
  const isd = new Float64Array(N_STATES);
  // Rounded to 15 digits so that the default gives Gymnasium's literal 0.1, not 0.09999999999999998.
  const veerProbability = Number(((1 - rainyProbability) / 2).toPrecision(15));
  for (let row = 0; row <= MAX_ROW; row++) {
    for (let col = 0; col <= MAX_COL; col++) {
      for (let passIdx = 0; passIdx < 5; passIdx++) {
        for (let destIdx = 0; destIdx < 4; destIdx++) {
          const state = encode(row, col, passIdx, destIdx);
          if (passIdx < 4 && passIdx !== destIdx) isd[state] += 1;
          for (let action = 0; action < N_ACTIONS; action++) {
            let newRow = row;
            let newCol = col;
            let newPass = passIdx;
            let reward = -1;
            let terminated = false;
            if (action < 4) {
              [newRow, newCol] = moveTaxi(row, col, action);
            } else if (action === TAXI_ACTIONS.PICKUP) {
              if (passIdx < 4 && sameCell([row, col], TAXI_LOCATIONS[passIdx])) newPass = 4;
              else reward = -10;
            } else {
              const here = locationIndex(row, col);
              if (passIdx === 4 && here === destIdx) {
                newPass = destIdx;
                terminated = true;
                reward = 20;
              } else if (passIdx === 4 && here >= 0) {
                newPass = here;
              } else {
                reward = -10;
              }
            }
            const newState = encode(newRow, newCol, newPass, destIdx);
            let outcomes: Transition[];
            if (isRainy && action < 4) {
              const moved = newRow !== row || newCol !== col;
              const [leftRow, leftCol] = moved ? moveTaxi(row, col, VEER[action][0]) : [row, col];
              const [rightRow, rightCol] = moved ? moveTaxi(row, col, VEER[action][1]) : [row, col];
              outcomes = [
                [rainyProbability, newState, -1, false],
                [veerProbability, encode(leftRow, leftCol, newPass, destIdx), -1, false],
                [veerProbability, encode(rightRow, rightCol, newPass, destIdx), -1, false],
              ];
            } else {
              outcomes = [[1.0, newState, reward, terminated]];
            }
            P[state].push(outcomes);
          }
        }
      }
    }
  }
  let total = 0;
  for (const v of isd) total += v;
  for (let i = 0; i < N_STATES; i++) isd[i] /= total;
  return [P, isd];
}
