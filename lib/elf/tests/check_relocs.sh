#!/bin/sh
# SPDX-License-Identifier: MIT
# check_relocs.sh READELF OBJECT TYPE... : fail unless every relocation TYPE
# (e.g. R_X86_64_TLSDESC, or RELR for a packed .relr.dyn section) occurs in
# OBJECT, so the loader tests really exercise what they claim to.
readelf=$1
obj=$2
shift 2
out=$("$readelf" -rW "$obj") || exit 1
status=0
for t in "$@"; do
	case $t in
	RELR) pat="^Relocation section '\.relr\.dyn'" ;;
	*) pat=" $t " ;;
	esac
	if printf '%s\n' "$out" | grep -q "$pat"; then
		echo "ok: $obj has $t"
	else
		echo "MISSING: $obj has no $t"
		status=1
	fi
done
exit $status
