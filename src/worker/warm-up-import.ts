// Imported by warm-up.ts, by the `.js` name TypeScript code uses for a `.ts` file.
export const one: number = 1;
