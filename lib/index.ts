/**
 * rl-course: the library behind the course's notebooks.
 *
 * @example
 * import { make, plot } from "rl-course";
 * const env = make("CartPole-v1");
 * const [obs] = env.reset({ seed: 0 });
 */
export * from "./random";
export * from "./schedules";
export * from "./backend";
export * from "./envs";
export * from "./mdp";
export * from "./tabular";
export * from "./nn";
export * from "./buffers";
export * from "./returns";
export * from "./algos";
export * from "./logging";
export * as plot from "./plot";
export * from "./checks";
