/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_transport.h: the seam between the usbslot actor and the SIMtrace2
 * board.  A transport delivers inbound messages (bulk IN, interrupt IN) and
 * "device gone" through callbacks and accepts outbound messages (bulk OUT).
 * It is driven from the owner's poll loop: poll the fds from
 * st2_transport_pollfds() (plus the timeout from st2_transport_timeout_ms())
 * and call st2_transport_handle_events() whenever any is ready or the
 * timeout expired; callbacks run only from inside handle_events() (and,
 * for send errors, from send()).
 *
 * Implementations: st2_usb.h (libusb-1.0, real hardware) and
 * st2_simsock.h (stream socket to the tests/tools/st2sim simulator). */
#ifndef REMSIM_ST2_TRANSPORT_H
#define REMSIM_ST2_TRANSPORT_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct st2_transport;

/* bulk-IN transfers a host must keep submitted (spec simtrace2-cardem.md §8.2) */
#define ST2_MIN_SAFE_BULK_IN 4

/* why a device went away */
enum st2_gone_reason {
	ST2_GONE_UNPLUGGED = 1,   /* LIBUSB_ERROR_NO_DEVICE / socket closed by peer */
	ST2_GONE_IO_ERROR  = 2,   /* transfer failed otherwise (stall, overflow, ...) */
};

struct st2_transport_cbs {
	/* one completed bulk-IN transfer (normally exactly one message) */
	void (*bulk_in)(void *priv, const uint8_t *buf, size_t len);
	/* one completed interrupt-IN transfer (spontaneous STATUS) */
	void (*irq_in)(void *priv, const uint8_t *buf, size_t len);
	/* the device is unusable; reported once.  The owner should close the
	 * transport (not from inside this callback) and exit/restart. */
	void (*gone)(void *priv, enum st2_gone_reason why, const char *detail);
	void *priv;
};

struct st2_transport_ops {
	const char *name;
	/* queue one bulk-OUT transfer (copied); 0 or < 0 on error */
	int (*send)(struct st2_transport *t, const uint8_t *buf, size_t len);
	/* fill up to max pollfds; returns the count (or < 0) */
	int (*pollfds)(struct st2_transport *t, struct pollfd *fds, int max);
	/* ms until handle_events must be called even without fd activity; -1 none */
	int (*timeout_ms)(struct st2_transport *t);
	/* process whatever is ready, never blocks; < 0 on fatal error */
	int (*handle_events)(struct st2_transport *t);
	/* bulk-IN transfers currently submitted (waiting for data) */
	int (*in_flight)(struct st2_transport *t);
	/* cancel everything and free the transport */
	void (*close)(struct st2_transport *t);
};

/* Every implementation embeds this as its first member. */
struct st2_transport {
	const struct st2_transport_ops *ops;
	struct st2_transport_cbs cbs;
	int gone;            /* set once gone was reported */
};

static inline int st2_transport_send(struct st2_transport *t, const uint8_t *buf, size_t len)
{ return t->ops->send(t, buf, len); }
static inline int st2_transport_pollfds(struct st2_transport *t, struct pollfd *fds, int max)
{ return t->ops->pollfds(t, fds, max); }
static inline int st2_transport_timeout_ms(struct st2_transport *t)
{ return t->ops->timeout_ms ? t->ops->timeout_ms(t) : -1; }
static inline int st2_transport_handle_events(struct st2_transport *t)
{ return t->ops->handle_events(t); }
static inline int st2_transport_in_flight(struct st2_transport *t)
{ return t->ops->in_flight ? t->ops->in_flight(t) : 0; }
static inline void st2_transport_close(struct st2_transport *t)
{ if (t) t->ops->close(t); }

/* Report "gone" once (used by implementations). */
void st2_transport_report_gone(struct st2_transport *t, enum st2_gone_reason why, const char *detail);

/* Warn (once per call) that fewer than 4 bulk-IN transfers make the board
 * drop messages after bursts (spec simtrace2-cardem.md §8.2, OS#4409). */
void st2_warn_few_in(int n_bulk_in, const char *log_ctx);

/* Convenience for simple owners and tests: poll the transport's fds for at
 * most timeout_ms and handle events once.  Returns handle_events' result. */
int st2_transport_run_once(struct st2_transport *t, int timeout_ms);

#endif
