/**
 * What the toy-text envs drawn on a letter map share (FrozenLake, after Gymnasium 1.4.0's
 * `frozen_lake.py`, and the course's GridWorld): the map is an array of equal-length strings, one
 * letter per cell, the state of cell (row, col) is `row * ncol + col`, and there are four move
 * actions (0 = left, 1 = down, 2 = right, 3 = up).
 */
import type { Transition, TransitionTable } from "./discrete_env";

/**
 * The start distribution uniform over the cells whose letter is one of `letters` (Gymnasium's
 * FrozenLake: the indicator of the `S` tiles, normalised), length `rows × cols`.
 * @param desc the map, one string per row (at least one cell must match `letters`).
 */
export function uniformOverCells(desc: readonly string[], letters: string): Float64Array {
  const ncol = desc[0].length;
  const isd = new Float64Array(desc.length * ncol);
  let count = 0;
  desc.forEach((line, r) => {
    for (let c = 0; c < ncol; c++) {
      if (letters.includes(line[c])) {
        isd[r * ncol + c] = 1;
        count += 1;
      }
    }
  });
  for (let i = 0; i < isd.length; i++) isd[i] /= count;
  return isd;
}

/**
 * Builds the transition table of a letter map in Gymnasium's FrozenLake order (rows, then columns,
 * then the actions 0…3). A cell whose letter is in `absorbing` gets `P[s][a] = [[1, s, 0, true]]`
 * for every action (Gymnasium's holes and goal); every other cell gets `outcomes(row, col, s, a)`.
 *
 * @param desc the map, one string per row.
 * @param absorbing the letters of the absorbing cells (e.g. `"GH"`).
 * @param outcomes the outcome list `P[s][a]` of a non-absorbing cell.
 * @returns `P`, `rows × cols` states of 4 actions each.
 */
export function letterMapTable(
  desc: readonly string[],
  absorbing: string,
  outcomes: (row: number, col: number, s: number, a: number) => Transition[],
): TransitionTable {
  const nrow = desc.length;
  const ncol = desc[0].length;
  const P: TransitionTable = [];
  for (let row = 0; row < nrow; row++) {
    for (let col = 0; col < ncol; col++) {
      const s = row * ncol + col;
      const actions: Transition[][] = [];
      for (let a = 0; a < 4; a++) actions.push(absorbing.includes(desc[row][col]) ? [[1.0, s, 0, true]] : outcomes(row, col, s, a));
      P.push(actions);
    }
  }
  return P;
}

/**
 * The outcomes of move `a` on possibly slippery ground. Slippery: the moves in the directions
 * `(a − 1) mod 4`, `a`, `(a + 1) mod 4`, in that order (Gymnasium's FrozenLake), with probabilities
 * `sideways`, `intended`, `sideways`. Not slippery: the move `a` alone, with probability 1.
 *
 * @param move the outcome of moving in `direction` with probability `prob`.
 */
export function slipperyMoves(
  a: number,
  slippery: boolean,
  intended: number,
  sideways: number,
  move: (prob: number, direction: number) => Transition,
): Transition[] {
  if (!slippery) return [move(1.0, a)];
  return [(a + 3) % 4, a, (a + 1) % 4].map((d) => move(d === a ? intended : sideways, d));
}

/** The map's rows with the letter of cell (row, col) replaced by `@` (the agent in an "ansi" render). */
export function markAgent(desc: readonly string[], row: number, col: number): string[] {
  return desc.map((line, r) => (r === row ? line.slice(0, col) + "@" + line.slice(col + 1) : line));
}
