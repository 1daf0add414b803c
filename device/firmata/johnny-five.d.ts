// johnny-five 2.1 and firmata-io 2.3 ship no types; johnny-five-board.ts declares the parts it uses.
declare module "johnny-five" {
  const five: unknown;
  export default five;
}
declare module "firmata-io" {
  const firmata: unknown;
  export default firmata;
}
