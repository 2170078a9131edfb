/*
 * The pipe protocol between dpvs-primary and the processes of the worker
 * binary it starts in standby mode (dpvs-worker --standby). Types only.
 *
 * A standby gets two pipes: it reads struct dpvs_take_msg from fd
 * DPVS_STANDBY_CMD_FD and writes struct dpvs_wk_event to fd
 * DPVS_STANDBY_EV_FD. It attaches (EAL, shared memory), says READY, and
 * blocks in read() until it is told which worker to become (TAKE), or until
 * the primary closes the command pipe (then it exits 0). Having taken a
 * worker it says TAKING once its context is built, waits until its
 * predecessor has released the slot (planned) or is known dead (crash,
 * hang), recovers the worker's region, and says RUNNING just before its
 * first loop iteration. Fixed-size messages, well under PIPE_BUF, so that a
 * write is atomic.
 */
#ifndef DPVS_SHM_STANDBY_H
#define DPVS_SHM_STANDBY_H

#include <stdint.h>

#define DPVS_STANDBY_CMD_FD 3
#define DPVS_STANDBY_EV_FD  4
#define DPVS_TAKE_MAGIC     0x54414b45u /* "TAKE" */

enum dpvs_take_mode {
	DPVS_TAKE_COLD = 0,     /* first start: nothing to wait for, full recovery */
	DPVS_TAKE_CRASH,        /* predecessor dead (dead_inc): full recovery */
	DPVS_TAKE_PLANNED,      /* predecessor stops at a burst boundary (stop_req) */
};

struct dpvs_take_msg {
	uint32_t magic;         /* DPVS_TAKE_MAGIC */
	uint32_t id;            /* worker id to become */
	uint32_t mode;          /* enum dpvs_take_mode */
	uint32_t inc;           /* our incarnation number */
	uint32_t old_inc;       /* the predecessor's (0: none) */
	uint32_t pad;
};

enum dpvs_wk_event_type {
	DPVS_EV_READY = 1,      /* attached, waiting for TAKE */
	DPVS_EV_TAKING,         /* context built, waiting for the predecessor */
	DPVS_EV_RUNNING,        /* polling from now on */
};

struct dpvs_wk_event {
	uint32_t type;          /* enum dpvs_wk_event_type */
	uint32_t id;            /* worker id (TAKING, RUNNING) */
	uint32_t inc;
	uint32_t recovered;     /* RUNNING: mbufs freed from the predecessor's region */
	uint64_t t_ns;          /* RUNNING: CLOCK_MONOTONIC of the first loop iteration */
	uint64_t pred_beat_ns;  /* RUNNING: the predecessor's last heartbeat (0: none) */
};

#endif
