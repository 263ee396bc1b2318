export * from "./dataframe";
export * from "./csv";
export * from "./reference";
export * from "./episodes";
