/** A temperature probe (an outlet's, read by the I/O board or a sensor); °C, undefined when unknown. */
export interface TemperatureProbe {
  readonly name: string;
  read(): number | undefined;
  onReading(listener: (tempC: number) => void): () => void;
}
