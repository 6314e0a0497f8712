/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the bankmap actor program: reads the `bankd` group of the role
 * config, opens the server link and dispatches the actor callbacks to
 * server_link.c (connection "out:server"), clients.c (connections accepted
 * on the bankd listener) and readers.c (messages from reader/N). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bankmap.h"
#include "config.h"
#include "log.h"

static const char HELP[] =
	"The bankd's mapping actor: connects to the remsim-server (ConnectBankReq),\n"
	"keeps the bank slot -> client slot table the server pushes, parks clients\n"
	"that are not mapped yet and hands mapped ones to reader/N.\n"
	"Reads the `bankd` group of the --config file (see docs/bankd.md):\n"
	"  server_host (required), server_port 9998, bank_id 1, num_slots 8,\n"
	"  name (default: hostname), connect_res_timeout_ms 10000,\n"
	"  stats_interval_s 10, identify_timeout_ms 10000.\n"
	"Control commands: maps, banks, clients (served by the readers, parked, waiting).";

static int load_config(struct bankmap *bm, const char *path)
{
	char err[512];
	const char *host = NULL, *name = NULL;
	int port, bank, slots, t1, stats, ident, reconcile;
	struct cfg *c = cfg_load(path, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "bankmap: %s\n", err);
		return -1;
	}
	config_setting_t *g = cfg_lookup(c, NULL, "bankd");
	int rc = 0;
	if (!g) {
		cfg_fail(c, NULL, "no 'bankd' group");
		rc = -1;
	}
	/* the whole `bankd` group: bankmap's keys, the client listener's (taken
	 * by the launcher for the broker) and the readers' bank_id */
	static const char *const known[] = { "server_host", "server_port", "bank_id", "num_slots",
		"name", "connect_res_timeout_ms", "stats_interval_s", "identify_timeout_ms",
		"reconcile_ms", "bind_ip", "bind_port", NULL };
	if (rc == 0 &&
	    (cfg_check_keys(c, g, "bankd", known) < 0 ||
	     cfg_get_string(c, g, "server_host", NULL, 255, &host) < 0 ||
	     cfg_get_int(c, g, "server_port", 9998, 1, 65535, &port) < 0 ||
	     cfg_get_int(c, g, "bank_id", 1, 0, RSPRO_SLOT_MAX, &bank) < 0 ||
	     cfg_get_int(c, g, "num_slots", 8, 1, RSPRO_SLOT_MAX, &slots) < 0 ||
	     cfg_get_string(c, g, "name", "", RSPRO_STR_MAX, &name) < 0 ||
	     cfg_get_int(c, g, "connect_res_timeout_ms", 10000, 100, 600000, &t1) < 0 ||
	     cfg_get_int(c, g, "stats_interval_s", 10, 0, 3600, &stats) < 0 ||
	     cfg_get_int(c, g, "identify_timeout_ms", 10000, 100, 600000, &ident) < 0 ||
	     cfg_get_int(c, g, "reconcile_ms", 5000, 0, 600000, &reconcile) < 0))
		rc = -1;
	if (rc == 0 && (!host || !*host))
		rc = cfg_fail(c, g, "'bankd.server_host' is required");
	if (rc < 0) {
		LOGF(NULL, "%s", cfg_error(c));
		cfg_free(&c);
		return -1;
	}
	snprintf(bm->server_host, sizeof(bm->server_host), "%s", host);
	bm->server_port = (uint16_t)port;
	bm->bank_id = bank;
	bm->num_slots = slots;
	bm->t1_ms = (unsigned)t1;
	bm->stats_ms = (unsigned)stats * 1000;
	bm->ident_ms = (unsigned)ident;
	bm->reconcile_ms = (unsigned)reconcile;
	if (gethostname(bm->hostname, sizeof(bm->hostname) - 1) < 0 || !bm->hostname[0])
		snprintf(bm->hostname, sizeof(bm->hostname), "remsim-bankd");
	snprintf(bm->name, sizeof(bm->name), "%s", name && *name ? name : bm->hostname);
	cfg_free(&c);
	return 0;
}

static void on_up(struct actor *a, const struct actor_conn *c, int restored, void *ud)
{
	(void)a;
	struct bankmap *bm = ud;
	if (!strncmp(c->origin, "out:", 4)) {
		if (!strcmp(c->origin + 4, BM_SERVER_KEY))
			link_up(bm, c, restored);
		return;
	}
	clients_up(bm, c, restored);
}

static void on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		    const char *reason, void *ud)
{
	(void)a;
	(void)peer;
	struct bankmap *bm = ud;
	if (!strncmp(origin, "out:", 4))
		link_down(bm, conn, reason);
	else
		clients_down(bm, conn);
}

static void on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud)
{
	(void)a;
	struct bankmap *bm = ud;
	if (conn && conn == bm->srv_conn)
		link_rspro(bm, conn, der, len);
	else
		clients_rspro(bm, conn, der, len);
}

static void on_tell(struct actor *a, const char *from, const uint8_t *data, size_t len, void *ud)
{
	(void)a;
	readers_told(ud, from, data, len);
}

int main(int argc, char **argv)
{
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "bankmap", HELP))
		return args.exit_code;
	log_init(args.name);
	if (args.argc > 1) {
		fprintf(stderr, "bankmap: unexpected argument '%s'\n", args.argv[1]);
		return 2;
	}
	if (!args.config) {
		fprintf(stderr, "bankmap: --config FILE (or REMSIM_CONFIG) is required\n");
		return 2;
	}
	static struct bankmap bm;
	if (load_config(&bm, args.config) < 0)
		return 1;
	if (cfg_check_only())
		return 0;
	bm.map = calloc((size_t)bm.num_slots, sizeof(*bm.map));
	bm.clients = conntab_new();
	if (!bm.map || !bm.clients || served_init(&bm) < 0) {
		fprintf(stderr, "bankmap: out of memory\n");
		return 1;
	}
	struct actor_cbs cbs = { .on_rspro = on_rspro, .on_conn_up = on_up, .on_conn_down = on_down,
				 .on_ctl = bm_ctl, .on_tell = on_tell };
	bm.a = actor_new(&args, &cbs, &bm);
	if (!bm.a)
		return 1;
	char ctx[24];
	snprintf(ctx, sizeof(ctx), "B%ld", bm.bank_id);
	log_set_context(ctx);		/* lines without a slot still name the bank */
	LOGI(NULL, "bank %ld with %ld slots, server %s:%u, name \"%s\"", bm.bank_id, bm.num_slots,
	     bm.server_host, bm.server_port, bm.name);
	actor_open(bm.a, BM_SERVER_KEY, bm.server_host, bm.server_port, ENV_POLICY_RECONNECT);
	if (bm.stats_ms)
		actor_timer_add(bm.a, bm.stats_ms, 0, clients_stats_tick, &bm);
	/* one sweep timer, not one timer per connection: a storm stays cheap */
	unsigned sweep = bm.ident_ms / 4;
	actor_timer_add(bm.a, sweep < 50 ? 50 : sweep > 1000 ? 1000 : sweep, 0, clients_ident_sweep, &bm);
	actor_run(bm.a);
	LOGI(NULL, "stopping");
	actor_destroy(&bm.a);
	conntab_free(&bm.clients);
	served_free(&bm);
	free(bm.map);
	return 0;
}
