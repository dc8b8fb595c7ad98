# Sourced by every stand-in: state folder and the call log.
S=${RB_STATE:?RB_STATE is not set}
mkdir -p "$S"
printf "%s\n" "$(basename "$0") $*" >> "$S/log"
