/*
 * dpvs-ctl's heartbeat (root->live.ctl_heartbeat_ns), watched by the
 * primary: a timer of the event loop beats, and so does every wait that
 * blocks the loop (the RCU wait of a publication, a request to the primary),
 * so that a slow but living dpvs-ctl is never taken for a hung one.
 */
#ifndef DPVS_CTL_BEAT_H
#define DPVS_CTL_BEAT_H

#include <stdint.h>

struct dpvs_root;

/* Beat into root from now on (NULL: never, as in unit tests). */
void ctl_beat_init(struct dpvs_root *root);
/* Refresh the heartbeat. */
void ctl_beat(void);
/* How often the event loop should beat, in ms (a fifth of the primary's
 * hang timeout, 20..100 ms). */
uint32_t ctl_beat_period_ms(void);

#endif
