export * from "./dataframe";
