/**
 * Wrappers, after Gymnasium's `gymnasium.wrappers`.
 */
import { Wrapper, type Env, type Info, type ResetArgs, type StepResult } from "./core";

/**
 * Truncates episodes after `maxEpisodeSteps` steps (Gymnasium `TimeLimit`): the step that reaches
 * the limit returns `truncated = true`. A step after truncation, without `reset`, throws.
 */
export class TimeLimit<Obs, Act> extends Wrapper<Obs, Act> {
  private elapsed = 0;
  private truncated = false;

  /**
   * @param maxEpisodeSteps positive integer.
   * @throws RangeError when `maxEpisodeSteps` is not a positive integer.
   */
  constructor(
    env: Env<Obs, Act>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    this.elapsed = 0;
    this.truncated = false;
    return this.env.reset(args);
  }

  /** @throws Error when called after the episode was truncated, without `reset()`. */
  override step(action: Act): StepResult<Obs> {
    if (this.truncated) {
      throw new Error(`step() called after the episode was truncated at ${this.maxEpisodeSteps} steps; call reset() first`);
    }
    const result = this.env.step(action);
    this.elapsed += 1;
    if (this.elapsed >= this.maxEpisodeSteps) {
      result[3] = true;
      this.truncated = true;
    }
    return result;
  }
}
