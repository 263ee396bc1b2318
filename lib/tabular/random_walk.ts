/**
 * The random walk of Sutton & Barto's Example 6.2 (5 states, TD vs MC) and §7.1 / §12.1
 * (19 states), as a tabular env usable with the Env API and every prediction method of this module.
 */
import { checkOptionNames, numberOption } from "../envs/core";
import { DiscreteEnv, integerOption, type Transition, type TransitionTable } from "../envs/toytext/discrete_env";

/** Action indices of {@link RandomWalkEnv}. */
export const RANDOM_WALK_ACTIONS = { LEFT: 0, RIGHT: 1 } as const;

/** Options of {@link RandomWalkEnv}. */
export interface RandomWalkOptions {
  /** Number of non-terminal states n, 1 … 1000 (default 5, Example 6.2; 19 in §7.1 and §12.1). */
  nStates?: number;
  /** Reward for stepping off the left end (default 0; −1 for the 19-state walk of §7.1). */
  leftReward?: number;
  /** Reward for stepping off the right end (default 1). */
  rightReward?: number;
}

/** Names of the options {@link RandomWalkEnv} accepts. */
export const RANDOM_WALK_OPTION_NAMES = ["nStates", "leftReward", "rightReward"] as const;

const WHERE = "RandomWalk";

/**
 * True state values of the random walk under the equiprobable policy with γ = 1 (the walk moves
 * left or right with probability 1/2): v(i) = leftReward + (rightReward − leftReward) · i/(n + 1)
 * for the non-terminal states i = 1 … n, and 0 for the terminal states 0 and n + 1.
 * With the defaults (Example 6.2): 0, 1/6, 2/6, 3/6, 4/6, 5/6, 0.
 *
 * @returns Float64Array of length n + 2, indexed by state.
 * @throws RangeError when `nStates` is not an integer in [1, 1000] or a reward is not finite.
 */
export function randomWalkTrueValues(nStates = 5, leftReward = 0, rightReward = 1): Float64Array {
  const n = integerOption({ nStates }, "nStates", 5, "randomWalkTrueValues", 1, 1000);
  numberOption({ leftReward, rightReward }, "leftReward", 0, "randomWalkTrueValues");
  numberOption({ leftReward, rightReward }, "rightReward", 1, "randomWalkTrueValues");
  const v = new Float64Array(n + 2);
  for (let i = 1; i <= n; i++) v[i] = leftReward + ((rightReward - leftReward) * i) / (n + 1);
  return v;
}

/**
 * The random walk (Sutton & Barto, "Reinforcement Learning: An Introduction", 2nd ed., Example 6.2;
 * the 19-state version in §7.1 and §12.1).
 *
 * ## Description
 * A row of n non-terminal states between two terminal ones. With the defaults: states A, B, C, D, E
 * (indices 1 … 5) between the left terminal state 0 and the right terminal state 6; every episode
 * starts in the centre, C. Each step moves one state left or right; stepping off the right end gives
 * +1, everything else 0. The book's walk is a Markov reward process: the move is left or right with
 * equal probability. Here the move is the action, so the book's process is this env under the
 * equiprobable policy (`uniformPolicy(nS, 2)` from lib/mdp), and the prediction methods, which draw
 * actions from a policy, reproduce it exactly.
 *
 * ## Action Space
 * `Discrete(2)`: 0 = left, 1 = right ({@link RANDOM_WALK_ACTIONS}).
 *
 * ## Observation Space
 * `Discrete(n + 2)`: 0 is the left terminal state, 1 … n the walk (A … E), n + 1 the right terminal
 * state. Errors should be averaged over {@link RandomWalkEnv.nonTerminalStates} only.
 *
 * ## Rewards
 * `rightReward` (default +1) on stepping into state n + 1, `leftReward` (default 0) into state 0,
 * 0 otherwise.
 *
 * ## Starting State
 * The centre state ⌊(n + 1)/2⌋ (C = 3 with n = 5, state 10 with n = 19).
 *
 * ## Episode End
 * Terminated on entering state 0 or n + 1. No time limit.
 *
 * ## Information
 * `reset` and `step` return `{ prob: 1 }`.
 *
 * ## Arguments
 * {@link RandomWalkOptions}: `nStates` (default 5), `leftReward` (default 0), `rightReward`
 * (default 1). The true values under the equiprobable policy with γ = 1 are
 * {@link RandomWalkEnv.trueValues} (1/6 … 5/6 with the defaults; −0.9 … 0.9 with
 * `{ nStates: 19, leftReward: -1 }`).
 *
 * ## Version History
 * - v0: initial release (course env; not registered with `make`).
 */
export class RandomWalkEnv extends DiscreteEnv {
  /** Number of non-terminal states n. */
  readonly nStates: number;
  /** Reward for stepping off the left end. */
  readonly leftReward: number;
  /** Reward for stepping off the right end. */
  readonly rightReward: number;
  /** The start state, ⌊(n + 1)/2⌋. */
  readonly startState: number;
  /** The non-terminal states 1 … n (the states S&B's RMS errors average over). */
  readonly nonTerminalStates: readonly number[];

  /** @throws TypeError/RangeError on an unknown option or an invalid value. */
  constructor(options: RandomWalkOptions = {}) {
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, RANDOM_WALK_OPTION_NAMES, WHERE);
    const n = integerOption(opts, "nStates", 5, WHERE, 1, 1000);
    const leftReward = numberOption(opts, "leftReward", 0, WHERE);
    const rightReward = numberOption(opts, "rightReward", 1, WHERE);
    const start = Math.floor((n + 1) / 2);
    const isd = new Float64Array(n + 2);
    isd[start] = 1;
    super(buildTable(n, leftReward, rightReward), isd, 2);
    this.nStates = n;
    this.leftReward = leftReward;
    this.rightReward = rightReward;
    this.startState = start;
    this.nonTerminalStates = Array.from({ length: n }, (_, i) => i + 1);
  }

  /** True values under the equiprobable policy with γ = 1 ({@link randomWalkTrueValues}), length n + 2. */
  trueValues(): Float64Array {
    return randomWalkTrueValues(this.nStates, this.leftReward, this.rightReward);
  }

  /** Name of state s: A, B, C, … for up to 26 states (else the number), "T" for the terminal states. */
  stateLabel(s: number): string {
    if (s === 0 || s === this.nStates + 1) return "T";
    return this.nStates <= 26 ? String.fromCharCode(64 + s) : String(s);
  }

  /** The walk as text with the current state in brackets, e.g. `T A B [C] D E T`. */
  render(): string {
    const cells: string[] = [];
    for (let s = 0; s < this.nS; s++) cells.push(s === this.s ? `[${this.stateLabel(s)}]` : this.stateLabel(s));
    return cells.join(" ") + "\n";
  }
}

function buildTable(n: number, leftReward: number, rightReward: number): TransitionTable {
  const P: TransitionTable = [];
  for (let s = 0; s < n + 2; s++) {
    if (s === 0 || s === n + 1) {
      P.push([[[1, s, 0, true]], [[1, s, 0, true]]]); // terminal: absorbing (never stepped from)
      continue;
    }
    const left: Transition = [1, s - 1, s - 1 === 0 ? leftReward : 0, s - 1 === 0];
    const right: Transition = [1, s + 1, s + 1 === n + 1 ? rightReward : 0, s + 1 === n + 1];
    P.push([[left], [right]]);
  }
  return P;
}
