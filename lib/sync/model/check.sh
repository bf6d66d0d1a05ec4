#!/bin/sh
# SPDX-License-Identifier: MIT
# Check the mutex model with spin: the real protocol must verify with no
# error in each configuration, and each deliberately broken variant must
# be rejected (so the check can fail).  Exit 77 (skip) without spin or cc.
# Sized to finish in seconds; docs/sync.md lists bigger runs to do by hand.
# Usage: check.sh MODEL_DIR [CC]
set -u
dir=$1
cc=${2:-cc}
command -v spin >/dev/null 2>&1 || { echo "spin not found: skip"; exit 77; }
command -v "$cc" >/dev/null 2>&1 || { echo "$cc not found: skip"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dir/mutex.pml" "$work/" || exit 1
cd "$work" || exit 1

# verify NAME EXPECT(pass|fail) SPIN-DEFINES...
verify() {
	name=$1 expect=$2
	shift 2
	rm -f pan pan.* mutex.pml.trail
	if ! spin "$@" -a mutex.pml >spin.log 2>&1; then
		cat spin.log
		echo "FAIL $name: spin -a failed"
		return 1
	fi
	if ! "$cc" -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=1024 -o pan pan.c \
		>cc.log 2>&1; then
		cat cc.log
		echo "FAIL $name: pan did not compile"
		return 1
	fi
	./pan -m100000 >pan.log 2>&1
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log)
	if grep -q "out of memory\|max search depth too small" pan.log; then
		cat pan.log
		echo "FAIL $name: search incomplete"
		return 1
	fi
	case "$expect:$errors" in
	pass:0)
		echo "ok   $name: $(grep 'states, stored' pan.log)" ;;
	fail:[1-9]*)
		echo "ok   $name: rejected: $(grep -m1 '^pan:' pan.log)" ;;
	*)
		cat pan.log
		echo "FAIL $name: expected $expect, errors=${errors:-?}"
		return 1 ;;
	esac
}

rc=0
verify "2 threads x 2 ops" pass -DNTHREADS=2 -DITERS=2 -DNO_MORPH || rc=1
verify "3 threads x 1 op" pass -DNTHREADS=3 -DITERS=1 -DNO_MORPH || rc=1
verify "2 threads x 1 op, morph" pass -DNTHREADS=2 -DITERS=1 || rc=1
verify "no re-check (late locker)" fail -DBROKEN_NO_RECHECK \
	-DNTHREADS=2 -DITERS=2 -DNO_MORPH || rc=1
verify "no reap of cancelled" fail -DBROKEN_NO_REAP \
	-DNTHREADS=2 -DITERS=2 -DNO_MORPH || rc=1
verify "morph not counted" fail -DBROKEN_MORPH_NO_COUNT \
	-DNTHREADS=2 -DITERS=1 || rc=1
exit $rc
