# Sourced by the stand-ins in this folder: drop this folder from PATH, so `exec <tool>` finds the real one.
here=$(cd "$(dirname "$0")" && pwd)
old=$PATH
PATH=
IFS=:
for d in $old; do
  if [ "$d" != "$here" ]; then PATH=${PATH:+$PATH:}$d; fi
done
unset IFS
export PATH
