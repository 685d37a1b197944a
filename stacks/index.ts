export * from "./estimates";
export * from "./loader";
export * from "./problems";
export * from "./schema";
export * from "./types";
export * from "./secret-stages";
