/* SPDX-License-Identifier: MIT */
/*
 * Promela model of the skiff mutex (lib/sync/mutex.c): the count, the MPSC
 * waiter queue (push stack + consumer-private pop list), the hand-off token
 * with its sequence number, try_lock, and timed lockers whose records are
 * cancelled in the queue and reaped by the next consumer.
 *
 * Checked (lib/sync/model/check.sh): mutual exclusion (assertion in the
 * critical section); at most one thread pops the queue at a time; and, as
 * end-state checks, no locker is left asleep once everyone else is done,
 * and the mutex ends free: count 0, no token out, queue empty, every
 * record back in the pool.  Each atomic { } is one C11 atomic operation.
 *
 * Broken variants, which check.sh requires spin to reject:
 *   -DBROKEN_NO_RECHECK  unlocker leaves the token without re-checking
 *                        the queue (the late-locker race)
 *   -DBROKEN_NO_REAP     a consumer skips a cancelled record without
 *                        taking its count off
 *   -DBROKEN_MORPH_NO_COUNT  a morphing signaller queues the record
 *                        without counting it in
 *   -DBROKEN_NO_SEQ      every token has the same value (ABA); spin
 *                        finds no failure in the bounded runs: see
 *                        docs/sync.md for why, so check.sh does not
 *                        require one
 * -DNO_TIMED / -DNO_TRY / -DNO_MORPH / -DNO_SPIN drop those actions to
 * shrink the state space (NO_SPIN: lock counts itself in at once).  Wait morphing: an owner may queue one record on behalf of
 * a sleeping condvar waiter (the sleeper process), which must then wake
 * owning the mutex.
 */
#ifndef NTHREADS
#define NTHREADS 3
#endif
#ifndef ITERS
#define ITERS 2
#endif
#define NREC (NTHREADS * ITERS + 2)
#define NONE 255

#define R_FREE 0
#define R_QUEUED 1
#define R_OWNED 2
#define R_CANCELLED 3

#define X_EMPTY 0
#define X_GIVEN 1
#define X_SELF 2

byte count;
byte handoff;
byte sequence;
chan pushq = [NREC] of { byte }; /* push_head: order does not matter here */
chan popq = [NREC] of { byte }; /* pop_head: responsible thread only */
byte rstate[NREC];
byte in_cs;
byte in_pop;
byte done;
byte mrec = NONE; /* the record a condvar signaller morphed, if any */
bit sdone; /* the morphed sleeper has locked and unlocked */

inline rec_alloc(r)
{
	atomic {
		r = 0;
		do
		:: r < NREC && rstate[r] != R_FREE -> r++
		:: r < NREC && rstate[r] == R_FREE -> rstate[r] = R_QUEUED; break
		:: r == NREC -> assert(false)
		od
	}
}

/* queue_pop: oldest record, or NONE.  Exchange + reverse is one step. */
inline queue_pop(w)
{
	atomic { in_pop++; assert(in_pop == 1) }
	if
	:: nempty(popq) -> popq?w
	:: empty(popq) ->
		atomic {
			do
			:: pushq?w -> popq!w
			:: empty(pushq) -> break
			od;
			if
			:: nempty(popq) -> popq?w
			:: empty(popq) -> w = NONE
			fi
		}
	fi;
	in_pop--
}

inline transfer(self, res)
{
	do
	:: queue_pop(w);
		if
		:: w == NONE -> res = X_EMPTY; break
		:: w != NONE && w == self -> rstate[w] = R_OWNED; res = X_SELF; break
		:: w != NONE && w != self ->
			atomic {
				if
				:: rstate[w] == R_QUEUED -> rstate[w] = R_OWNED; ok = 1
				:: else -> assert(rstate[w] == R_CANCELLED); ok = 0
				fi
			}
			if
			:: ok -> res = X_GIVEN; break
			:: else ->
				rstate[w] = R_FREE; /* back to the pool */
#ifdef BROKEN_NO_REAP
				skip
#else
				atomic { old = count; count-- };
				if
				:: old == 1 -> res = X_GIVEN; break
				:: else -> skip
				fi
#endif
			fi
		fi
	od
}

inline next_token(t)
{
#ifdef BROKEN_NO_SEQ
	t = 1
#else
	atomic { sequence++; t = sequence }
#endif
}

inline unlock()
{
	atomic { old = count; count-- };
	if
	:: old == 1 -> skip
	:: else ->
		do
		:: transfer(NONE, res);
			if
			:: res != X_EMPTY -> break
			:: else ->
				next_token(tok);
				handoff = tok;
#ifdef BROKEN_NO_RECHECK
				break
#else
				if
				:: empty(pushq) -> break
				:: nempty(pushq) ->
					atomic {
						if
						:: handoff == tok -> handoff = 0; ok = 1
						:: else -> ok = 0
						fi
					}
					if
					:: ok -> skip
					:: else -> break
					fi
				fi
#endif
			fi
		od
	fi
}

/* Slow path after the count was taken.  got: 1 = owns, 0 = timed out. */
inline lock_queued(timed, got)
{
	rec_alloc(r);
	pushq!r;
	got = 0;
	do
	:: h = handoff;
		if
		:: h == 0 -> break
		:: else ->
			atomic {
				if
				:: handoff == h -> handoff = 0; ok = 1
				:: else -> ok = 0
				fi
			}
			if
			:: ok -> transfer(r, res); got = (res == X_SELF); break
			:: else -> skip
			fi
		fi
	od;
	if
	:: got -> skip
	:: else ->
		if
		:: rstate[r] == R_OWNED -> got = 1
		:: timed ->
			atomic {
				if
				:: rstate[r] == R_QUEUED -> rstate[r] = R_CANCELLED
				:: else -> assert(rstate[r] == R_OWNED); got = 1
				fi
			}
		fi
	fi;
	if
	:: got -> rstate[r] = R_FREE /* nobody refers to it once given */
	:: else -> skip /* left CANCELLED for a consumer to reap */
	fi
}

inline try_lock(got)
{
	atomic {
		if
		:: count == 0 -> count = 1; got = 1
		:: else -> got = 0
		fi
	}
	if
	:: !got ->
		h = handoff;
		if
		:: h != 0 ->
			atomic {
				if
				:: handoff == h -> handoff = 0; got = 1
				:: else -> skip
				fi
			}
			if
			:: got -> atomic { count++ }
			:: else -> skip
			fi
		:: else -> skip
		fi
	:: else -> skip
	fi
}

/*
 * lock and lock_until: the fast-path CAS and the spinning and yielding
 * phase before counting in are CAS 0 -> 1 attempts that change nothing
 * when they fail, so "any number of them" is: take the mutex at some
 * moment the count is 0, or give up.  Then fetch_add and queue.
 */
inline lock(timed, got)
{
	got = 0;
#ifndef NO_SPIN
	do
	:: atomic { count == 0 -> count = 1; got = 1 }; break
	:: break
	od;
#endif
	if
	:: got -> skip
	:: else ->
		atomic { old = count; count++ };
		if
		:: old == 0 -> got = 1
		:: else -> lock_queued(timed, got)
		fi
	fi
}

proctype locker(byte id)
{
	byte i, old, r, w, h, tok, res, got;
	bit ok;

	for (i : 1 .. ITERS) {
		if
		:: lock(0, got)
#ifndef NO_TIMED
		:: lock(1, got)
#endif
#ifndef NO_TRY
		:: try_lock(got)
#endif
		fi;
		if
		:: got ->
			in_cs++;
			assert(in_cs == 1);
			in_cs--;
#ifndef NO_MORPH
			/* wait morphing: the owner queues a sleeper's record */
			if
			:: mrec == NONE ->
				rec_alloc(w);
#ifndef BROKEN_MORPH_NO_COUNT
				atomic { count++ };
#endif
				pushq!w;
				mrec = w
			:: skip
			fi;
#endif
			unlock()
		:: else -> skip
		fi
	}
	done++
}

/* A condvar waiter: wakes owning the mutex once a signaller morphed it. */
proctype sleeper()
{
	byte old, w, tok, res;
	bit ok;

end_asleep:
	mrec != NONE && rstate[mrec] == R_OWNED;
	in_cs++;
	assert(in_cs == 1);
	in_cs--;
	rstate[mrec] = R_FREE;
	unlock();
	sdone = 1
}

init
{
	byte k;

	atomic {
		for (k : 1 .. NTHREADS) {
			run locker(k)
		}
#ifndef NO_MORPH
		run sleeper()
#endif
	}
	done == NTHREADS && (mrec == NONE || sdone);
	assert(count == 0);
	assert(handoff == 0);
	assert(empty(pushq) && empty(popq));
	for (k : 0 .. NREC - 1) {
		assert(rstate[k] == R_FREE)
	}
}
