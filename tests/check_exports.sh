#!/bin/sh
# check_exports.sh LIBRARY HEADER — the shared library exports exactly the
# public API: every symbol it defines is doppel_<name> (internal helpers are
# doppel__*, which must stay hidden) or one of the linker's own (_init,
# _fini, __bss_start, _edata, _end), and every function the header marks
# DOPPEL_API is among them.
set -eu
lib=$1
header=$2
command -v nm >/dev/null 2>&1 || { echo "check_exports: nm not found" >&2; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk 'NF >= 3 {print $3}' | sort -u)
bad=$(printf '%s\n' "$syms" |
    grep -v -E '^(doppel_[a-z0-9][a-z0-9_]*|_init|_fini|__bss_start|_edata|_end)$' ||
    true)
status=0
if [ -n "$bad" ]; then
    echo "$lib exports symbols outside the public API:" >&2
    printf '  %s\n' $bad >&2
    status=1
fi
api=$(grep '^DOPPEL_API' "$header" | grep -o 'doppel_[a-z0-9_]*(' |
    tr -d '(' | sort -u)
for f in $api; do
    if ! printf '%s\n' "$syms" | grep -q -x "$f"; then
        echo "$lib does not export $f, declared in $header" >&2
        status=1
    fi
done
[ $status -eq 0 ] &&
    echo "$lib: exports the $(printf '%s\n' $api | wc -l) functions of $(basename "$header") and nothing else"
exit $status
