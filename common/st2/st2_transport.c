/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_transport.c: helpers shared by all SIMtrace2 transports (see
 * st2_transport.h). */
#include "st2_transport.h"

#include <errno.h>

#include "log.h"

void st2_transport_report_gone(struct st2_transport *t, enum st2_gone_reason why, const char *detail)
{
	if (t->gone)
		return;
	t->gone = 1;
	if (t->cbs.gone)
		t->cbs.gone(t->cbs.priv, why, detail ? detail : "");
}

int st2_transport_run_once(struct st2_transport *t, int timeout_ms)
{
	struct pollfd fds[16];
	int n = st2_transport_pollfds(t, fds, 16);
	if (n < 0)
		return n;
	int tmo = st2_transport_timeout_ms(t);
	if (tmo < 0 || (timeout_ms >= 0 && timeout_ms < tmo))
		tmo = timeout_ms;
	if (poll(fds, (nfds_t)n, tmo) < 0 && errno != EINTR)
		return -errno;
	return st2_transport_handle_events(t);
}

void st2_warn_few_in(int n_bulk_in, const char *log_ctx)
{
	if (n_bulk_in < ST2_MIN_SAFE_BULK_IN)
		LOGCW(LC_ST2, log_ctx, "only %d bulk-IN transfer%s kept submitted (fewer than %d): the board drops "
		     "messages after bursts and the modem may wait forever (OS#4409)", n_bulk_in,
		     n_bulk_in == 1 ? "" : "s", ST2_MIN_SAFE_BULK_IN);
}
