"""A PZEM-like meter played by pymodbus 3.0 (Debian python3-pymodbus) as an independent RTU slave.

Usage: /usr/bin/python3 pymodbus_meter.py PTY UNIT
Input registers 0..9 hold a fixed PZEM reading; holding registers 0..9 and coils 0..9 are writable.
"""
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartSerialServer
from pymodbus.transaction import ModbusRtuFramer

port, unit = sys.argv[1], int(sys.argv[2])
logging.basicConfig(level=logging.DEBUG if "-v" in sys.argv else logging.WARNING)

# 230.1 V, 1.234 A, 283.5 W, 70000 Wh (32-bit, low word first), 50.0 Hz, pf 0.99, no alarm
PZEM = [2301, 1234, 0, 2835, 0, 70000 & 0xFFFF, 70000 >> 16, 500, 99, 0]
store = ModbusSlaveContext(
    ir=ModbusSequentialDataBlock(0, PZEM),
    hr=ModbusSequentialDataBlock(0, [0, 2300, unit] + [0] * 7),
    co=ModbusSequentialDataBlock(0, [False] * 10),
    di=ModbusSequentialDataBlock(0, [False] * 10),
    zero_mode=True,  # otherwise every address is shifted by one
)
context = ModbusServerContext(slaves={unit: store}, single=False)
print("serving", flush=True)
StartSerialServer(
    context=context,
    framer=ModbusRtuFramer,  # the serial server defaults to ASCII
    port=port,
    baudrate=9600,
    timeout=0.005,
    ignore_missing_slaves=True,
)
