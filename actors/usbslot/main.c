/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usbslot: the client role's actor for one modem slot (client.md).  It keeps
 * the slot's RSPRO connections to the server and the bankd (through the
 * broker), runs the client main FSM and drives one frontend: a SIMtrace2
 * cardem interface (libusb or the st2sim simulator), the stdin/stdout
 * shell or pcscd's reader driver libifd_remsim.so (docs/ifd.md).  Run by
 * remsimd (several slots: usbslot/0..N-1 with REMSIM_INDEX),
 * or by the remsim-client-shell launcher for the shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hexstr.h"
#include "log.h"
#include "usbslot.h"

static void start_fn(struct actor *a, void *arg)
{
	struct slot *s = arg;
	rconn_start(s);
	if (s->fe->start(s) < 0) {
		LOGE(SCTX(s), "%s frontend failed to start", s->fe->name);
		actor_stop(a);
	}
}

static json_t *on_ctl(struct actor *a, const char *cmd, json_t *args, int want_json,
		      char *err, size_t errlen, void *ud)
{
	(void)a;
	(void)args;
	(void)want_json;
	struct slot *s = ud;
	if (strcmp(cmd, "slot") != 0 && strcmp(cmd, "slots") != 0) {
		snprintf(err, errlen, "usbslot does not know '%s'", cmd);
		return NULL;
	}
	char cs[32], bs[32], bankd[96], slot[40], mapped[40], atr[2 * USBSLOT_ATR_MAX + 1];
	snprintf(cs, sizeof(cs), "%ld:%ld", s->cs.client_id, s->cs.slot_nr);
	snprintf(bs, sizeof(bs), s->bank_configured ? "%ld:%ld" : "-", s->bs.bank_id, s->bs.slot_nr);
	snprintf(bankd, sizeof(bankd), s->bank_configured ? "%s:%u" : "-", s->bankd_ip, (unsigned)s->bankd_port);
	snprintf(slot, sizeof(slot), "C%s", cs);
	snprintf(mapped, sizeof(mapped), s->bank_configured ? "B%s" : "", bs);
	hex_format(s->atr, s->atr_len, atr);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s}",
			      "client_slot", cs, "state", fsm_state_name(s->ms), "server",
			      rconn_state_name(s->srv.st), "bankd", rconn_state_name(s->bkd.st), "bank_slot",
			      bs, "bankd_addr", bankd, "tpdus", (json_int_t)s->cnt.tpdu_tx, "responses",
			      (json_int_t)s->cnt.tpdu_rx, "dropped", (json_int_t)s->cnt.dropped, "slot", slot,
			      "peer", s->bkd.st == RC_CONNECTED ? bankd : "", "mapped", mapped, "atr", atr);
	if (o)
		slotstat_json(&s->st, o);
	return o;
}

static int slot_index(const char *name)
{
	const char *e = getenv("REMSIM_INDEX");
	if (e && *e)
		return atoi(e);
	const char *sl = strrchr(name, '/');
	return sl ? atoi(sl + 1) : 0;
}

int main(int argc, char **argv)
{
	static char help[4096];
	snprintf(help, sizeof(help),
		 "The client role's actor for one modem slot: connects to the remsim-server,\n"
		 "then to the bankd it is told about, and relays TPDUs between the modem\n"
		 "(SIMtrace2 board, st2sim simulator or stdin/stdout) and the bankd.\n"
		 "Settings come from the role config (group client, entry client.slots.[INDEX],\n"
		 "INDEX = REMSIM_INDEX or the number after the last '/' of the name), then:\n%s",
		 usbslot_options_help);
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "usbslot", help))
		return args.exit_code;
	log_init(args.name);

	static struct slot s;	/* large; lives for the whole process */
	char err[512];
	if (settings_load(&s.set, args.config, slot_index(args.name), args.argc, args.argv, err,
			  sizeof(err)) < 0) {
		LOGF(NULL, "%s", err);
		return 2;
	}
	if (cfg_check_only())
		return 0;
	s.cs.client_id = s.set.client_id;
	s.cs.slot_nr = s.set.slot_nr;
	rspro_ident_set(&s.ident, RSPRO_COMP_CLIENT, s.set.hostname, USBSLOT_SOFTWARE, USBSLOT_VERSION);
	memcpy(s.atr, s.set.atr, s.set.atr_len);
	s.atr_len = s.set.atr_len;
	s.fe = s.set.transport == TR_SHELL ? &fe_shell_ops : s.set.transport == TR_IFD ? &fe_ifd_ops : &fe_st2_ops;
	slot_update_ctx(&s);

	struct actor_cbs cbs = { .on_rspro = rconn_on_rspro, .on_conn_up = rconn_on_up,
				 .on_conn_down = rconn_on_down, .on_ctl = on_ctl };
	s.a = actor_new(&args, &cbs, &s);
	if (!s.a)
		return 1;
	rconn_init(&s);
	LOGI(SCTX(&s), "slot starting: server %s:%d, %s frontend%s%s", s.set.server_host, s.set.server_port,
	     s.fe->name, s.set.transport == TR_SIM ? " on simulator " : "",
	     s.set.transport == TR_SIM ? s.set.sim_path : "");
	/* after the restored connections (reported when actor_run starts) */
	actor_timer_add(s.a, 1, 1, start_fn, &s);
	actor_run(s.a);
	LOGI(SCTX(&s), "slot stopping in %s: %lu TPDUs sent, %lu responses, %lu dropped",
	     fsm_state_name(s.ms), s.cnt.tpdu_tx, s.cnt.tpdu_rx, s.cnt.dropped);
	s.fe->stop(&s);
	actor_destroy(&s.a);
	return 0;
}
