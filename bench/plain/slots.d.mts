export declare const kFlag: number;
export declare const kParked: number;
export declare const kDone: number;
export declare const kSlots: number;
export declare function blockUntil(
  i32: Int32Array,
  index: number,
  value: number,
  what: string,
  timeoutMs?: number,
): void;
