/** A request/response register bus (Modbus RTU) shared by meters and the battery cabinet. */
export interface MeterBus {
  start(): Promise<void>;
  stop(): Promise<void>;
  readInputRegisters(unit: number, address: number, count: number): Promise<Uint16Array>;
  readHoldingRegisters(unit: number, address: number, count: number): Promise<Uint16Array>;
  writeRegister(unit: number, address: number, value: number): Promise<void>;
}
