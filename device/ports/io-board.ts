/** An Arduino-class I/O board (StandardFirmata): analog inputs and extra relays. */
export type IoPinMode = "input" | "output" | "analog" | "pullup";

export interface IoBoard {
  start(): Promise<void>;
  stop(): Promise<void>;
  pinMode(pin: number, mode: IoPinMode): void;
  digitalWrite(pin: number, value: boolean): void;
  onAnalog(pin: number, listener: (value: number) => void): () => void;
  onDigital(pin: number, listener: (value: boolean) => void): () => void;
}
