#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per malloc+free pair, skiff and its peers, from callgrind:
# each allocator runs R1 and R2 rounds of 64 pairs (bench_mm --count), and
# the difference of the two program totals divided by the difference in
# pairs is the cost of one pair plus the loop; the "none" allocator
# measures the loop, which is subtracted.  Exact and repeatable.
# Usage: bench/mm/callgrind.sh BUILD_DIR [sizes...]
set -eu
bench="$1/bench/mm/bench_mm"
shift
sizes="${*:-16 64 256}"
r1=200
r2=1200
total() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$bench" --count "$1" "$2" "$3" 2>&1 |
		sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
per_pair() {
	a=$(total "$1" "$2" $r1)
	b=$(total "$1" "$2" $r2)
	echo $(( (b - a) * 100 / ((r2 - r1) * 64) ))
}
for size in $sizes; do
	loop=$(per_pair none "$size")
	for alloc in skiff glibc jemalloc mimalloc; do
		v=$(per_pair "$alloc" "$size")
		printf '%s B %s: %d.%02d instructions per malloc+free\n' \
			"$size" "$alloc" $(( (v - loop) / 100 )) \
			$(( (v - loop) % 100 ))
	done
done
