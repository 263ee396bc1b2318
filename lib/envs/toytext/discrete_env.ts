/**
 * Shared machinery of the tabular ("toy text") environments: an env defined by a transition table
 * `P`, as Gymnasium's FrozenLake, CliffWalking and Taxi are, plus the small option readers and grid
 * helpers those envs have in common.
 */
import { BaseEnv, checkOptionNames, type Info, type StepResult } from "../core";
import { Discrete } from "../spaces";

/**
 * One possible outcome of taking an action: `[prob, nextState, reward, terminated]`, the tuple
 * Gymnasium stores in `env.P[s][a]`.
 */
export type Transition = [prob: number, nextState: number, reward: number, terminated: boolean];

/** `P[s][a]` lists the outcomes of action `a` in state `s` (Gymnasium's `env.P`). */
export type TransitionTable = Transition[][][];

/**
 * Base class of the environments whose dynamics are a finite transition table (Gymnasium's toy-text
 * envs follow the same pattern without a shared base class).
 *
 * - `reset` draws the start state from {@link DiscreteEnv.initialStateDistrib} with
 *   `rng.choice(nS, isd)`, Gymnasium's `categorical_sample`.
 * - `step(a)` draws one entry of `P[s][a]` by its probabilities (also `categorical_sample`), moves to
 *   its next state and returns its reward and terminated flag, with `info = { prob }`.
 *
 * The table is public and read-only by convention, so dynamic programming can use it directly:
 * `env.P[s][a]` is exactly Gymnasium's `env.P[s][a]`, entry for entry.
 */
export abstract class DiscreteEnv extends BaseEnv<number, number> {
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  override readonly metadata: { renderModes: string[]; renderFps?: number } = { renderModes: ["ansi"], renderFps: 4 };
  /** Number of states. */
  readonly nS: number;
  /** Number of actions. */
  readonly nA: number;
  /** The transition table: `P[s][a] = [[prob, nextState, reward, terminated], …]`. */
  readonly P: TransitionTable;
  /** Probability of starting in each state (Gymnasium's `initial_state_distrib`). */
  readonly initialStateDistrib: Float64Array;
  /** The current state (Gymnasium's `env.s`). */
  s = 0;
  /** The last action taken, or `null` right after `reset` (Gymnasium's `lastaction`). */
  lastAction: number | null = null;
  /** `P[s][a]`'s probabilities, kept apart so sampling allocates nothing. */
  private readonly outcomeProbs: Float64Array[][];

  /**
   * @param P the transition table; checked for shape, probabilities and next-state range.
   * @param initialStateDistrib start distribution over the `P.length` states, summing to 1.
   * @param nA number of actions (every `P[s]` must have this many entries).
   * @throws RangeError when the table or the start distribution is malformed.
   */
  protected constructor(P: TransitionTable, initialStateDistrib: Float64Array, nA: number) {
    super();
    const where = new.target.name;
    const nS = P.length;
    if (nS === 0) throw new RangeError(`${where}: the transition table has no states`);
    if (initialStateDistrib.length !== nS) {
      throw new RangeError(`${where}: initialStateDistrib has ${initialStateDistrib.length} entries, expected ${nS}`);
    }
    checkDistribution(initialStateDistrib, `${where}: initialStateDistrib`);
    for (let s = 0; s < nS; s++) {
      if (P[s].length !== nA) throw new RangeError(`${where}: P[${s}] has ${P[s].length} actions, expected ${nA}`);
      for (let a = 0; a < nA; a++) {
        const outcomes = P[s][a];
        if (outcomes.length === 0) throw new RangeError(`${where}: P[${s}][${a}] is empty`);
        for (const [, next] of outcomes) {
          if (!Number.isInteger(next) || next < 0 || next >= nS) {
            throw new RangeError(`${where}: P[${s}][${a}] leads to state ${next}, outside [0, ${nS - 1}]`);
          }
        }
        checkDistribution(
          outcomes.map((t) => t[0]),
          `${where}: probabilities of P[${s}][${a}]`,
        );
      }
    }
    this.nS = nS;
    this.nA = nA;
    this.P = P;
    this.initialStateDistrib = initialStateDistrib;
    this.outcomeProbs = P.map((row) => row.map((outcomes) => Float64Array.from(outcomes, (t) => t[0])));
    this.observationSpace = new Discrete(nS);
    this.actionSpace = new Discrete(nA);
  }

  /** The current state; an alias of {@link DiscreteEnv.s} so `env.unwrapped.state` works for every env. */
  get state(): number {
    return this.s;
  }

  /** Sets the current state (tests and demos use it to start from a chosen state). */
  set state(value: number) {
    if (!Number.isInteger(value) || value < 0 || value >= this.nS) {
      throw new RangeError(`${this.constructor.name}: state must be an integer in [0, ${this.nS - 1}], got ${String(value)}`);
    }
    this.s = value;
  }

  /** Toy-text envs take no reset options (Gymnasium ignores them; we reject them). */
  protected resetEnv(options: Record<string, unknown>): [number, Info] {
    checkOptionNames(options, [], `${this.constructor.name}.reset`);
    this.s = this.rng.choice(this.nS, this.initialStateDistrib);
    this.lastAction = null;
    return [this.s, this.makeInfo(1)];
  }

  protected stepEnv(action: number): StepResult<number> {
    const [prob, next, reward, terminated] = this.sampleTransition(this.s, action);
    this.s = next;
    this.lastAction = action;
    return [next, reward, terminated, false, this.makeInfo(prob)];
  }

  /** Draws one entry of `P[s][a]` by its probabilities, as Gymnasium's `categorical_sample` does. */
  protected sampleTransition(s: number, a: number): Transition {
    const outcomes = this.P[s][a];
    const i = this.rng.choice(outcomes.length, this.outcomeProbs[s][a]);
    return outcomes[i];
  }

  /** The current state drawn as text (Gymnasium's "ansi" render mode). */
  abstract render(): string;

  /** The `info` returned by `reset` and `step` for the current state: `{ prob }` by default. */
  protected makeInfo(prob: number): Info {
    return { prob };
  }
}

function checkDistribution(p: ArrayLike<number>, what: string): void {
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`${what}: entry ${i} is ${p[i]}, not a probability`);
    total += p[i];
  }
  if (Math.abs(total - 1) > 1e-9) throw new RangeError(`${what} sum to ${total}, expected 1`);
}

// ---------------------------------------------------------------------------------------------
// Option readers shared by the toy-text constructors.

/** Reads a boolean option; `fallback` when absent. @throws TypeError naming the option. */
export function booleanOption(options: Record<string, unknown>, name: string, fallback: boolean, where: string): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(`${where}: option ${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads a probability option in [0, 1]; `fallback` when absent. @throws RangeError naming the option. */
export function probabilityOption(options: Record<string, unknown>, name: string, fallback: number, where: string): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${where}: option ${name} must be a probability in [0, 1], got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Reads an integer option in [min, max]; `fallback` when absent.
 * @throws RangeError naming the option and the accepted range.
 */
export function integerOption(
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  where: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${where}: option ${name} must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks a map given as rows of characters: a non-empty array of non-empty strings of equal length,
 * using only the characters in `allowed`. Returns a copy.
 * @throws TypeError/RangeError naming `name`, the offending row and the accepted characters.
 */
export function checkCharGrid(value: unknown, name: string, allowed: string, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((row) => typeof row === "string")) {
    throw new TypeError(`${where}: option ${name} must be a non-empty array of strings (one per row), got ${JSON.stringify(value)}`);
  }
  const rows = value as string[];
  const width = rows[0].length;
  if (width === 0) throw new RangeError(`${where}: option ${name} has an empty first row`);
  rows.forEach((row, r) => {
    if (row.length !== width) {
      throw new RangeError(
        `${where}: option ${name} has rows of different lengths (row 0 has ${width} characters, row ${r} has ${row.length})`,
      );
    }
    for (let c = 0; c < row.length; c++) {
      if (!allowed.includes(row[c])) {
        throw new RangeError(
          `${where}: option ${name} has '${row[c]}' at row ${r}, column ${c} (accepted characters: ${allowed.split("").join(" ")})`,
        );
      }
    }
  });
  return [...rows];
}

/** Every (row, col) of a `nrow × ncol` grid as a state index, row-major: `row * ncol + col`. */
export function gridToState(row: number, col: number, nrow: number, ncol: number): number {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row >= nrow || col < 0 || col >= ncol) {
    throw new RangeError(`(row, col) = (${row}, ${col}) is outside the ${nrow}x${ncol} grid`);
  }
  return row * ncol + col;
}

/** The (row, col) of state `s` in a grid with `ncol` columns and `nS` states. */
export function stateToGrid(s: number, ncol: number, nS: number): [row: number, col: number] {
  if (!Number.isInteger(s) || s < 0 || s >= nS) throw new RangeError(`state must be an integer in [0, ${nS - 1}], got ${s}`);
  return [Math.floor(s / ncol), s % ncol];
}
