/** An Arduino-class I/O board (StandardFirmata): analog inputs and extra relays. */
export type IoPinMode = "input" | "output" | "analog" | "pullup";

export interface IoBoardStatus {
  /** the Firmata handshake is done and the link is up */
  readonly ready: boolean;
  readonly detail?: string | undefined;
}

export interface IoBoard {
  readonly path: string;
  /** never throws for a missing board: it reports not ready and keeps trying */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): IoBoardStatus;
  onStatus(listener: (status: IoBoardStatus) => void): () => void;
  pinMode(pin: number, mode: IoPinMode): void;
  /** remembered and re-applied after a reconnect */
  digitalWrite(pin: number, value: boolean): void;
  /**
   * channel numbers (A0 = 0); raw 0-1023, every `freqMs` at most (the board's default when
   * omitted; a channel read by several listeners is read at the fastest asked for)
   */
  onAnalog(channel: number, listener: (value: number) => void, freqMs?: number): () => void;
  onDigital(pin: number, listener: (value: boolean) => void): () => void;
}
