/**
 * CombinationLock: the chain MDP of the exploration lecture, where undirected exploration needs a
 * number of episodes exponential in the chain's length.
 */
import { checkOptionNames } from "../core";
import { Rng } from "../../random";
import { DiscreteEnv, integerOption, type Transition, type TransitionTable } from "./discrete_env";

/** What a wrong action does: end in an absorbing dead state (classic) or send the agent back to the start. */
export type LockWrongAction = "dead" | "reset";

/** Options of {@link CombinationLockEnv}. */
export interface CombinationLockOptions {
  /** Length H of the chain: the number of correct actions in a row that open the lock (default 10). */
  horizon?: number;
  /** Number of actions A (default 2). */
  nActions?: number;
  /** The secret combination: one correct action per chain state (length H); default: drawn from `lockSeed`. */
  combination?: readonly number[];
  /** Seed of the generator that draws the combination when none is given (default 0). */
  lockSeed?: number;
  /** `"dead"` (default): a wrong action ends the episode in a dead state; `"reset"`: it returns to the start. */
  wrongAction?: LockWrongAction;
}

/** Names of the options {@link CombinationLockEnv} accepts. */
export const COMBINATION_LOCK_OPTION_NAMES = ["horizon", "nActions", "combination", "lockSeed", "wrongAction"] as const;

const WHERE = "CombinationLock";

/**
 * The combination lock (a chain MDP): H states in a row, each with one secret correct action out of
 * A. The correct action advances one state; the last one opens the lock. It is the standard example
 * of why exploration by random actions (ε-greedy with large ε, uniform policies) fails: the reward is
 * found only by an exact sequence of H actions.
 *
 * ## Description
 * States 0 … H−1 form the chain, the agent starting at 0. In state i the action `combination[i]`
 * moves to i + 1 (from H − 1: into the goal state H, which ends the episode with reward 1). Any other
 * action is wrong:
 * - `wrongAction: "dead"` (default, the classic lock): the agent falls into the absorbing dead state
 *   H + 1 and the episode ends with reward 0. A uniformly random policy then opens the lock in an
 *   episode with probability exactly (1/A)^H: 1/1024 ≈ 0.00098 with the defaults H = 10, A = 2, so
 *   it needs about A^H = 1024 episodes on average to see the reward once.
 * - `wrongAction: "reset"`: the agent goes back to state 0 and the episode continues. A uniformly
 *   random policy then needs A + A² + … + A^H = A(A^H − 1)/(A − 1) steps on average to open the lock
 *   (2046 with the defaults); within the first H steps it succeeds with probability (1/A)^H.
 *
 * ## Action Space
 * `Discrete(A)` (option `nActions`).
 *
 * ## Observation Space
 * `Discrete(H + 2)` with a dead state, `Discrete(H + 1)` without: the chain position 0 … H − 1,
 * the goal H ({@link CombinationLockEnv.goalState}) and the dead state H + 1
 * ({@link CombinationLockEnv.deadState}, `null` in the reset variant).
 *
 * ## Rewards
 * 1 on the transition that opens the lock (into the goal state), 0 otherwise.
 *
 * ## Starting State
 * State 0.
 *
 * ## Episode End
 * Terminated on entering the goal, or the dead state in the default variant (so episodes last at
 * most H steps). The reset variant has no end but the goal: `CombinationLock-v0` registers no time
 * limit, so pass `maxEpisodeSteps` to `make` when sampling it with a poor policy.
 *
 * ## Information
 * `reset` and `step` return `{ prob }` (always 1: the lock is deterministic).
 *
 * ## Arguments
 * {@link CombinationLockOptions}: `horizon` (10), `nActions` (2), `combination` (one action per chain
 * state; its length sets the horizon when `horizon` is absent), `lockSeed` (0; the combination is
 * drawn uniformly with `new Rng(lockSeed)`), `wrongAction` ("dead" | "reset").
 *
 * ## Version History
 * - v0: initial release (course environment, not in Gymnasium).
 */
export class CombinationLockEnv extends DiscreteEnv {
  /** Length H of the chain. */
  readonly horizon: number;
  /** The secret combination: the correct action in each chain state. */
  readonly combination: readonly number[];
  /** What a wrong action does. */
  readonly wrongAction: LockWrongAction;
  /** The goal state H (terminal; entering it earns 1). */
  readonly goalState: number;
  /** The dead state H + 1 of the default variant; `null` in the reset variant. */
  readonly deadState: number | null;

  /**
   * @throws TypeError on an unknown option; RangeError on a `horizon` or `nActions` that is not an
   * integer >= 1 (>= 2 actions), a `combination` of the wrong length or with an action outside
   * [0, nActions − 1], both `combination` and `lockSeed`, or an unknown `wrongAction`.
   */
  constructor(options: CombinationLockOptions = {}) {
    const opts = options as Record<string, unknown>;
    checkOptionNames(opts, COMBINATION_LOCK_OPTION_NAMES, WHERE);
    const nActions = integerOption(opts, "nActions", 2, WHERE, 2, 1_000_000);
    const wrongAction = opts.wrongAction ?? "dead";
    if (wrongAction !== "dead" && wrongAction !== "reset") {
      throw new RangeError(`${WHERE}: option wrongAction must be "dead" or "reset", got ${JSON.stringify(wrongAction)}`);
    }
    let combination: number[];
    let horizon: number;
    if (opts.combination !== undefined) {
      if (opts.lockSeed !== undefined) throw new RangeError(`${WHERE}: give option combination or option lockSeed, not both`);
      const value = opts.combination;
      if (!Array.isArray(value) || value.length === 0) {
        throw new TypeError(`${WHERE}: option combination must be a non-empty array of actions, got ${JSON.stringify(value)}`);
      }
      horizon = integerOption(opts, "horizon", value.length, WHERE, 1, 1_000_000);
      if (value.length !== horizon) {
        throw new RangeError(`${WHERE}: option combination has ${value.length} actions but horizon is ${horizon}`);
      }
      value.forEach((a, i) => {
        if (!Number.isInteger(a) || a < 0 || a >= nActions) {
          throw new RangeError(`${WHERE}: option combination[${i}] = ${JSON.stringify(a)} is not an action in [0, ${nActions - 1}]`);
        }
      });
      combination = [...(value as number[])];
    } else {
      horizon = integerOption(opts, "horizon", 10, WHERE, 1, 1_000_000);
      const lockSeed = integerOption(opts, "lockSeed", 0, WHERE, 0);
      const rng = new Rng(lockSeed);
      combination = Array.from({ length: horizon }, () => rng.integers(0, nActions));
    }
    const goalState = horizon;
    const deadState = wrongAction === "dead" ? horizon + 1 : null;
    const nS = deadState === null ? horizon + 1 : horizon + 2;
    const isd = new Float64Array(nS);
    isd[0] = 1;
    super(buildTable(combination, nActions, nS, goalState, deadState), isd, nActions);
    this.horizon = horizon;
    this.combination = combination;
    this.wrongAction = wrongAction;
    this.goalState = goalState;
    this.deadState = deadState;
  }

  /**
   * Probability that the uniformly random policy opens the lock within one episode of the default
   * variant, or within the first H steps of the reset variant: (1/A)^H.
   */
  randomPolicySuccessProbability(): number {
    return Math.pow(1 / this.nA, this.horizon);
  }

  /** The chain as text: `o` for each chain state, `@` for the agent, then `G` (and `x` for the dead state). */
  render(): string {
    const cells = Array.from({ length: this.horizon }, (_, i) => (i === this.s ? "@" : "o"));
    const goal = this.s === this.goalState ? "@" : "G";
    const dead = this.deadState === null ? "" : this.s === this.deadState ? "  @" : "  x";
    return `${cells.join("-")}-${goal}${dead}\n`;
  }
}

function buildTable(
  combination: readonly number[],
  nActions: number,
  nS: number,
  goalState: number,
  deadState: number | null,
): TransitionTable {
  const P: TransitionTable = [];
  for (let s = 0; s < nS; s++) {
    const actions: Transition[][] = [];
    for (let a = 0; a < nActions; a++) {
      if (s === goalState || s === deadState) {
        actions.push([[1.0, s, 0, true]]);
      } else if (a === combination[s]) {
        actions.push([[1.0, s + 1, s + 1 === goalState ? 1 : 0, s + 1 === goalState]]);
      } else if (deadState !== null) {
        actions.push([[1.0, deadState, 0, true]]);
      } else {
        actions.push([[1.0, 0, 0, false]]);
      }
    }
    P.push(actions);
  }
  return P;
}
