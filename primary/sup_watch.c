/*
 * The earliest sign that a worker died (see supervise.h): each worker slot
 * holds a robust, process-shared mutex (workers[N].alive) that the process
 * serving it locks before it polls and keeps until it stops. When a process
 * exits, the kernel walks its robust list before it tears its memory down:
 * it marks the mutex's futex word FUTEX_OWNER_DIED and wakes a waiter. One
 * thread per slot waits on that word (FUTEX_WAIT, having set FUTEX_WAITERS
 * so that the kernel wakes it; it never takes the mutex) and then wakes the
 * supervisor's loop through an eventfd. Measured on this VM: the SIGCHLD of
 * a killed worker comes 20-400 ms after the kill (the kernel closes its tap
 * fds first), the close of its event pipe 4-400 ms, this wake earlier still.
 *
 * The threads only read and CAS the futex words; the bookkeeping stays in
 * the main thread (sup_watch_drain -> sup_worker_exiting). They end, and are
 * joined, before the primary unmaps the root memzone (sup_watch_stop): a
 * thread reading its word after rte_eal_cleanup() crashed the primary at
 * the end of a stop (seen once in test_d, status 139, hugepage files left). The word's layout
 * is the kernel's robust-futex protocol (futex(2)): owner TID in the low 30
 * bits, FUTEX_WAITERS, FUTEX_OWNER_DIED; glibc keeps it in the mutex's
 * first int on Linux.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shm/shm.h"
#include "log.h"
#include "supervise.h"

struct watch {
	uint32_t *word;
	int efd;
	pthread_t tid;
	int started;
};

static struct watch watches[DPVS_MAX_WORKERS];
/* set by sup_watch_stop(): the words live in the root memzone, which the
 * primary unmaps at its end (rte_eal_cleanup) */
static volatile int watch_stop;

static uint32_t *
alive_word(struct dpvs_worker_slot *slot)
{
	return (uint32_t *)(void *)&slot->alive.m;
}

static void *
watch_main(void *arg)
{
	const struct watch *w = arg;
	const struct timespec idle = { 0, 20000000 }; /* no owner yet: look again in 20 ms */
	const struct timespec bound = { 0, 500000000 };
	uint64_t one = 1;
	uint32_t v;

	while (!__atomic_load_n(&watch_stop, __ATOMIC_ACQUIRE)) {
		v = __atomic_load_n(w->word, __ATOMIC_ACQUIRE);
		if (v & FUTEX_OWNER_DIED) {
			if (write(w->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
				return NULL;
			/* until a successor takes the mutex (and clears the bit) */
			while (__atomic_load_n(w->word, __ATOMIC_ACQUIRE) == v &&
			       !__atomic_load_n(&watch_stop, __ATOMIC_ACQUIRE))
				nanosleep(&idle, NULL);
			continue;
		}
		if ((v & FUTEX_TID_MASK) == 0) {
			nanosleep(&idle, NULL);
			continue;
		}
		/* an owner: ask to be woken when it unlocks or dies */
		if (!(v & FUTEX_WAITERS) &&
		    !__atomic_compare_exchange_n(w->word, &v, v | FUTEX_WAITERS, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue;
		v |= FUTEX_WAITERS;
		/* bounded, so that sup_watch_stop() never waits on a live holder */
		syscall(SYS_futex, w->word, FUTEX_WAIT, v, &bound, NULL, 0);
	}
	return NULL;
}

int
sup_watch_start(struct supervisor *s)
{
	pthread_attr_t attr;
	unsigned int i;

	s->watch_fd = -1;
	if (s->root == NULL)
		return 0;
	s->watch_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->watch_fd < 0)
		return -1;
	watch_stop = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < s->nworkers; i++) {
		watches[i].word = alive_word(&s->root->workers[i]);
		watches[i].efd = s->watch_fd;
		if (pthread_create(&watches[i].tid, &attr, watch_main, &watches[i]) != 0) {
			pthread_attr_destroy(&attr);
			return -1;
		}
		watches[i].started = 1;
	}
	pthread_attr_destroy(&attr);
	return 0;
}

void
sup_watch_stop(struct supervisor *s)
{
	unsigned int i;

	__atomic_store_n(&watch_stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < DPVS_MAX_WORKERS; i++) {
		if (!watches[i].started)
			continue;
		/* a thread may wait on its word (a holder that is still alive) */
		syscall(SYS_futex, watches[i].word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
		pthread_join(watches[i].tid, NULL);
		watches[i].started = 0;
	}
	if (s->watch_fd >= 0)
		close(s->watch_fd);
	s->watch_fd = -1;
}

void
sup_watch_drain(struct supervisor *s, uint64_t now)
{
	uint64_t n;
	unsigned int i;

	if (s->watch_fd < 0 || read(s->watch_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;
	for (i = 0; i < s->nworkers; i++) {
		uint32_t v = __atomic_load_n(alive_word(&s->root->workers[i]), __ATOMIC_ACQUIRE);

		if (v & FUTEX_OWNER_DIED)
			sup_worker_exiting(s, i, (pid_t)(v & FUTEX_TID_MASK), now);
	}
}
