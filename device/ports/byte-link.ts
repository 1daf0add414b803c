/** A byte stream to a serial device (UART, RS-485, USB-serial). Drivers get it injected. */
export interface ByteLink {
  readonly path: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** the link went away (unplug, pty closed); `error` is set when it was not our close() */
  onClose(listener: (error?: Error) => void): () => void;
}
