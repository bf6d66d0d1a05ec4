// SPDX-License-Identifier: MIT
/*
 * virtio-rng: one device-writable buffer at a time.  The reading thread
 * posts its request and sleeps (sk_wait); the interrupt handler acks the
 * device and wakes it; the thread then takes the used element and copies
 * the bytes out.  One request in flight: readers queue on a skiff mutex.
 */
#include <errno.h>

#include <kvm/entropy.h>
#include <plat/irq.h>
#include <plat/mem.h>
#include <sched/wait.h>
#include <sync/mutex.h>

#include "virtio_impl.h"

enum { RNG_BUF = 4096 };

struct sk_virtio_rng {
	struct sk_virtq q;
	struct sk_virtio_dev dev;
	uint8_t buf[RNG_BUF] SK_ALIGNED(64);
	struct sk_mutex lock; /* one request in flight */
	_Atomic(struct sk_thread *) waiter;
	_Atomic uint64_t irqs;
};

static struct sk_virtio_rng rng_dev;
static _Atomic int rng_opened;

static void rng_irq(void *arg)
{
	struct sk_virtio_rng *r = arg;
	struct sk_thread *t;

	r->dev.t->irq_ack(&r->dev);
	atomic_fetch_add_explicit(&r->irqs, 1, memory_order_relaxed);
	/* Acquire: pairs with the reader's release of itself as waiter. */
	t = atomic_load_explicit(&r->waiter, memory_order_acquire);
	if (t)
		sk_thread_wake(t);
}

/* sk_plat_entropy's fallback: whole reads of up to 4 KiB each. */
static long rng_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	for (size_t done = 0; done < len;) {
		long got = sk_virtio_rng_read(&rng_dev, p + done, len - done);

		if (got < 0)
			return got;
		done += (size_t)got;
	}
	return (long)len;
}

int sk_virtio_rng_open(struct sk_virtio_rng **out)
{
	struct sk_virtio_rng *r = &rng_dev;
	int expected = 0, err;

	if (!atomic_compare_exchange_strong_explicit(&rng_opened, &expected, 1,
						     memory_order_relaxed,
						     memory_order_relaxed))
		return -EBUSY;
	sk_mutex_init(&r->lock);
	err = sk_virtio_find(SK_VIRTIO_ID_RNG, 0, &r->dev);
	if (!err)
		err = r->dev.t->setup(&r->dev, &r->q, rng_irq, r);
	if (err) {
		atomic_store_explicit(&rng_opened, 0, memory_order_relaxed);
		return err;
	}
	sk_kvm_entropy_register(rng_entropy); /* -EBUSY: one is enough */
	*out = r;
	return 0;
}

static uint32_t rng_wait_used(struct sk_virtio_rng *r)
{
	uint32_t got = 0;

	sk_wait_prepare();
	while (!sk_virtq_take_used(&r->q, &got)) {
		sk_wait();
		sk_wait_prepare();
	}
	sk_wait_finish();
	return got;
}

long sk_virtio_rng_read(struct sk_virtio_rng *r, void *buf, size_t len)
{
	uint32_t want = len > RNG_BUF ? RNG_BUF : (uint32_t)len, got;

	if (len == 0)
		return -EINVAL;
	sk_mutex_lock(&r->lock);
	/* Release: we are the waiter before the device can complete. */
	atomic_store_explicit(&r->waiter, sk_thread_current(),
			      memory_order_release);
	struct sk_virtq_buf b = { sk_plat_virt_to_phys(r->buf), want, 1 };

	sk_virtq_post(&r->dev, &r->q, &b, 1);
	got = rng_wait_used(r);
	atomic_store_explicit(&r->waiter, NULL, memory_order_relaxed);
	if (got > want)
		got = 0; /* a device claiming more than we offered: refuse */
	for (uint32_t i = 0; i < got; i++)
		((uint8_t *)buf)[i] = r->buf[i];
	sk_mutex_unlock(&r->lock);
	return got ? (long)got : -EIO;
}

uint64_t sk_virtio_rng_irqs(const struct sk_virtio_rng *r)
{
	return atomic_load_explicit(&r->irqs, memory_order_relaxed);
}
