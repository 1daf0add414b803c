#!/bin/sh
# /usr/bin/waystation: the station's command, with the installed station file as the default
# for commands that read one (--config overrides it).
: "${WAYSTATION_CONFIG:=/etc/waystation/config.yaml}"
export WAYSTATION_CONFIG
exec /usr/bin/node /usr/lib/waystation/dist/waystation.mjs "$@"
