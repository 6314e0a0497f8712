/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the reader actor program (one per bank slot, named reader/N).
 *
 * Wires the actor library to the session (client side + card): RSPRO PDUs,
 * connection up/down, messages from the bankmap actor (JSON, see
 * docs/reader.md), the periodic card watch timer and the reader-status
 * control command. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "actor.h"
#include "log.h"
#include "reader.h"

#define BANKMAP_NAME "bankmap"

static const char help_extra[] =
	"The bankd's reader actor: serves bank slot N (from --name reader/N, else\n"
	"REMSIM_INDEX) with the PC/SC reader whose name matches the slot's regex,\n"
	"relaying TPDUs between the client connection bound to it and the card.\n"
	"Settings (role file, see docs/reader.md): bankd.bank_id, reader.name_pattern,\n"
	"reader.sharing, reader.protocols, reader.pcsc_socket, reader.poll_ms,\n"
	"reader.backoff_max_ms, reader.gsmtap_host, reader.gsmtap_slot, reader.slots.\n"
	"Control command: reader-status (when the broker routes it here).\n";

struct app {
	struct rdr_conf conf;
	struct session *s;
};

static void on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud)
{
	(void)a;
	session_rspro(((struct app *)ud)->s, conn, der, len);
}

static void on_up(struct actor *a, const struct actor_conn *c, int restored, void *ud)
{
	(void)a;
	session_conn_up(((struct app *)ud)->s, c, restored);
}

static void on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		    const char *reason, void *ud)
{
	(void)a;
	(void)peer;
	(void)origin;
	session_conn_down(((struct app *)ud)->s, conn, reason);
}

/* {"op":"mapping","client":"C3:0"|null}, {"op":"reset"} */
static void on_tell(struct actor *a, const char *from, const uint8_t *data, size_t len, void *ud)
{
	(void)a;
	struct app *app = ud;
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, len, 0, &jerr);
	const char *op = json_string_value(json_object_get(j, "op"));
	if (!op) {
		LOGW(NULL, "message from %s ignored: not a JSON object with \"op\"", from);
	} else if (!strcmp(op, "mapping")) {
		json_t *cl = json_object_get(j, "client");
		struct rspro_client_slot cs;
		if (json_is_null(cl) || !cl)
			session_mapping(app->s, NULL);
		else if (json_is_string(cl) && rspro_parse_slot_pair(json_string_value(cl), &cs.client_id,
									 &cs.slot_nr) == 0)
			session_mapping(app->s, &cs);
		else
			LOGW(NULL, "mapping message from %s ignored: bad \"client\"", from);
	} else if (!strcmp(op, "reset")) {
		session_reset_state(app->s);
	} else {
		LOGW(NULL, "message from %s ignored: unknown op \"%s\"", from, op);
	}
	json_decref(j);
}

static json_t *on_ctl(struct actor *a, const char *cmd, json_t *args, int want_json,
		      char *err, size_t errlen, void *ud)
{
	(void)a;
	(void)args;
	(void)want_json;
	struct app *app = ud;
	if (!strcmp(cmd, "reader-status") || !strcmp(cmd, "slot"))
		return session_status(app->s);
	snprintf(err, errlen, "reader does not know '%s'", cmd);
	return NULL;
}

static void tick(struct actor *a, void *arg)
{
	(void)a;
	session_tick(((struct app *)arg)->s);
}

static int slot_index(const char *name)
{
	const char *p = name ? strrchr(name, '/') : NULL;
	const char *src = p ? p + 1 : getenv("REMSIM_INDEX");
	if (!src || !*src)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(src, &end, 10);
	if (*end || errno || v < 0 || v > RSPRO_SLOT_MAX)
		return -1;
	return (int)v;
}

int main(int argc, char **argv)
{
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "reader", help_extra))
		return args.exit_code;
	log_init(args.name);
	if (args.argc > 1) {
		fprintf(stderr, "reader: unexpected argument '%s'\n", args.argv[1]);
		return 2;
	}
	int slot = slot_index(args.name);
	if (slot < 0) {
		fprintf(stderr, "reader: no slot index: name the actor reader/N or set REMSIM_INDEX\n");
		return 2;
	}
	static struct app app;
	char err[512];
	if (rconf_load(&app.conf, args.config, slot, err, sizeof(err)) < 0) {
		LOGF(NULL, "%s", err);
		return 1;
	}
	if (cfg_check_only())
		return 0;
	signal(SIGPIPE, SIG_IGN);
	struct actor_cbs cbs = { .on_rspro = on_rspro, .on_conn_up = on_up, .on_conn_down = on_down,
				 .on_ctl = on_ctl, .on_tell = on_tell };
	struct actor *a = actor_new(&args, &cbs, &app);
	if (!a)
		return 1;
	app.s = session_new(a, &app.conf);
	if (!app.s) {
		actor_destroy(&a);
		return 1;
	}
	LOGI(NULL, "bank slot %ld:%d, reader regex \"%s\", %s, protocols %s%s%s", app.conf.bank_id, slot,
	     app.conf.regex, app.conf.shared ? "shared" : "exclusive",
	     app.conf.protocols == SCARD_PROTOCOL_T0 ? "T=0" :
	     app.conf.protocols == SCARD_PROTOCOL_T1 ? "T=1" : "T=0/T=1",
	     app.conf.pcsc_socket[0] ? ", PC/SC socket " : "", app.conf.pcsc_socket);
	char q[64];
	int n = snprintf(q, sizeof(q), "{\"op\":\"query\",\"slot\":%d}", slot);
	actor_tell(a, BANKMAP_NAME, q, (size_t)n);
	session_tick(app.s);	/* context and reader now, before the first client */
	if (actor_timer_add(a, app.conf.poll_ms, 0, tick, &app) < 0) {
		LOGE(NULL, "cannot add the card watch timer");
		session_free(&app.s);
		actor_destroy(&a);
		return 1;
	}
	int rc = actor_run(a);
	session_free(&app.s);
	actor_destroy(&a);
	return rc ? 1 : 0;
}
