/**
 * Neural-network pieces for deep RL on TensorFlow.js: function-style {@link Mlp}s with explicit
 * weights, initialisers, action distributions, optimiser helpers and weight (de)serialisation.
 * Run `await initBackend()` before creating tensors.
 */
export * from "./init";
export * from "./mlp";
export * from "./host_mlp";
export * from "./distributions";
export * from "./optim";
export * from "./serialize";
export * from "./gradients";
export * from "./jacobian";
