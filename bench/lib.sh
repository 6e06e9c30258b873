# Shared by the bench scripts (sourced): CPU ticks (utime + stime) of a pid, read
# from /proc/PID/stat after the command name (which may contain spaces).
cpu_ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
