/**
 * Typed errors shared by every layer. Code branches on `code`, never on message text.
 * It lives in config/ because config/ is the bottom layer that every other layer may import.
 */
export type Subsystem =
  | "config"
  | "gpio"
  | "reader"
  | "door"
  | "access"
  | "mqtt"
  | "console"
  | "broker"
  | "sim"
  | "journal"
  | "secrets"
  | "cli"
  | "control"
  | "service"
  | "modbus"
  | "power"
  | "cabinet"
  | "safety"
  | "serial"
  | "radar"
  | "board"
  | "occupancy"
  | "face";

export type StationErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_UNREADABLE"
  | "CONFIG_YAML"
  | "SECRETS_UNREADABLE"
  | "SECRETS_INVALID"
  | "SECRETS_PERMISSIONS"
  | "SECRETS_EXISTS"
  | "DATA_PERMISSIONS"
  | "GPIO_UNAVAILABLE"
  | "GPIO_CHIP_NOT_FOUND"
  | "GPIO_PIN_OUT_OF_RANGE"
  | "GPIO_IO"
  | "READER_BAD_FRAME"
  | "READER_UNSUPPORTED_CARD"
  | "READER_OFFLINE"
  | "READER_PCSC_UNAVAILABLE"
  | "READER_TRANSMIT_FAILED"
  | "READER_BAD_MESSAGE"
  | "DOOR_OUTPUT_FAILED"
  | "ACCESS_BAD_CREDENTIAL"
  | "ACCESS_STORE"
  | "MQTT_CONNECT"
  | "MQTT_BAD_MESSAGE"
  | "MQTT_TLS_FILE"
  | "JOURNAL_READ_ONLY"
  | "JOURNAL_DISK_FULL"
  | "JOURNAL_IO"
  | "JOURNAL_CORRUPT"
  | "JOURNAL_UNAVAILABLE"
  | "PORT_IN_USE"
  | "CONSOLE_BAD_REQUEST"
  | "CONSOLE_USERS_INVALID"
  | "CONSOLE_PASSWORD_WEAK"
  | "SIM_BAD_COMMAND"
  | "SIM_TIME_OUT_OF_RANGE"
  | "SIM_UNREACHABLE"
  | "CONSOLE_UNREACHABLE"
  | "SIM_VPCD"
  | "SIM_PCSCD_UNAVAILABLE"
  | "CLI_USAGE"
  | "INPUT_FILE_INVALID"
  | "KEY_FILE_INVALID"
  | "KEY_EXISTS"
  | "NO_REPLY"
  | "ENROL_NO_CARD"
  | "CONSOLE_USER_EXISTS"
  | "CREDENTIAL_EXISTS"
  | "CONTROL_SOCKET_IN_USE"
  | "CONTROL_SOCKET_PATH"
  | "CONTROL_UNREACHABLE"
  | "CONTROL_DENIED"
  | "CONTROL_BAD_REPLY"
  | "MODBUS_CRC"
  | "MODBUS_BAD_FRAME"
  | "MODBUS_EXCEPTION"
  | "MODBUS_TIMEOUT"
  | "MODBUS_LINK_DOWN"
  | "OUTLET_UNKNOWN"
  | "OUTLET_REFUSED"
  | "CABINET_REFUSED"
  | "SERIAL_UNAVAILABLE"
  | "SERIAL_IO"
  | "RADAR_NO_ANSWER"
  | "RADAR_REFUSED"
  | "BOARD_NOT_READY"
  | "BOARD_IO"
  | "OCCUPANCY_BAD_COMMAND"
  | "FACE_BAD_IMAGE"
  | "FACE_MODELS_MISSING"
  | "FACE_ENGINE"
  | "FACE_TEMPLATES_UNREADABLE"
  | "FACE_BAD_MESSAGE"
  | "FACE_UNAVAILABLE"
  | "FACE_NO_FACE"
  | "FACE_BAD_WEBHOOK"
  | "STATION_ALREADY_RUNNING"
  | "CREDENTIAL_KEY_MISMATCH"
  | "STATE_FILE_INVALID"
  | "STATE_FILE_IO"
  | "DEMO_REFUSED";

export class StationError extends Error {
  override readonly name = "StationError";
  constructor(
    readonly code: StationErrorCode,
    readonly subsystem: Subsystem,
    message: string,
    readonly details: { hint?: string; cause?: unknown; [key: string]: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** What a technician should read: the message and, when we have one, what to do about it. */
  describe(): string {
    return this.details.hint ? `${this.message}\n  hint: ${this.details.hint}` : this.message;
  }
}

export function isStationError(err: unknown, code?: StationErrorCode): err is StationError {
  return err instanceof StationError && (code === undefined || err.code === code);
}
