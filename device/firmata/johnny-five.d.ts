// johnny-five 2.1 and firmata-io 2.3 ship no types; johnny-five-board.ts declares the parts it uses.
declare module "johnny-five/lib/board.js" {
  const Board: unknown;
  export default Board;
}
declare module "johnny-five/lib/sensor.js" {
  const Sensor: unknown;
  export default Sensor;
}
declare module "johnny-five/lib/relay.js" {
  const Relay: unknown;
  export default Relay;
}
declare module "firmata-io" {
  const firmata: unknown;
  export default firmata;
}
