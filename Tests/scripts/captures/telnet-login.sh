#!/bin/sh
# The LOGIN program that `busybox telnetd -l` runs on the telnet session's pty (Tests/scripts/record-captures.sh).
# It behaves like a device's login: asks for the user and the password (no echo), accepts root / Telnet-Pa55,
# prints a banner and a prompt, and answers `echo hello` and `exit`. It runs no command it is sent.
strip() { printf '%s' "$1" | tr -d '\r\000'; }
printf 'gw7100 login: '
IFS= read -r user || exit 1
user=$(strip "$user")
stty -echo 2>/dev/null
printf 'Password: '
IFS= read -r pass || exit 1
pass=$(strip "$pass")
stty echo 2>/dev/null
printf '\n'
if [ "$user" != root ] || [ "$pass" != Telnet-Pa55 ]; then
  sleep 1
  echo 'Login incorrect'
  exit 1
fi
printf '\nBusyBox v1.35.0 built-in shell (ash)\nGW-7100 gateway, firmware 2.0.4\n\n'
n=0
while [ $n -lt 10 ] && printf 'root@gw7100:~# ' && IFS= read -r cmd; do
  n=$((n + 1))
  cmd=$(strip "$cmd")
  case "$cmd" in
    'echo hello') echo hello ;;
    exit|logout) echo logout; exit 0 ;;
    '') ;;
    *) echo "-sh: ${cmd%% *}: not found" ;;
  esac
done
