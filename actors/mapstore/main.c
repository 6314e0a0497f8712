/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the mapstore actor program: reads the `mapstore` group of the role
 * config, opens the sqlite mapping store, reloads the mappings into the
 * slotmap core, then runs the actor loop, dispatching connections to
 * conn_fsm.c and control requests to ctl.c. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mapstore.h"

struct mapstore *ms_self;

static const char HELP[] =
	"The server role's mapping store: answers bankds and clients on the RSPRO\n"
	"listener the broker hands it (ConnectBankReq/ConnectClientReq, slot\n"
	"mappings), keeps the mappings and their history in sqlite, and answers the\n"
	"control commands map, unmap, maps, banks, clients, history, reset.\n"
	"Reads from the --config file (see docs/server.md):\n"
	"  state_dir = \"/var/lib/remsim\";          (top level, also for @STATE_DIR@)\n"
	"  mapstore = { database = \"@STATE_DIR@/server.db\"; identify_timeout_ms = 10000;\n"
	"               reject_linger_ms = 1000; bankd_port = 9999;\n"
	"               create_error_activates = false; name = \"<hostname>\";\n"
	"               bank_grace_ms = 15000; };  (banks' time to re-register after a restart)\n"
	"  history = { keep_days = 400; max_rows = 200000; prune_interval_s = 60;\n"
	"              prune_batch = 500; };    (retention; 0 = no limit)\n"
	"@RUN_DIR@ and @STATE_DIR@ are replaced in the database path.";

/* Replace every @KEY@ of `vars` (pairs, NULL-terminated) in src. */
static int expand(char *dst, size_t len, const char *src, const char *const *vars)
{
	size_t o = 0;
	while (*src) {
		size_t used = 0;
		for (const char *const *v = vars; *v; v += 2)
			if (!strncmp(src, v[0], strlen(v[0]))) {
				size_t n = strlen(v[1]);
				if (o + n >= len)
					return -1;
				memcpy(dst + o, v[1], n);
				o += n;
				used = strlen(v[0]);
				break;
			}
		if (!used) {
			if (o + 1 >= len)
				return -1;
			dst[o++] = *src;
			used = 1;
		}
		src += used;
	}
	dst[o] = '\0';
	return 0;
}

static int load_config(struct mapstore_conf *cf, const char *path)
{
	char err[512], host[256] = "";
	const char *state_dir = MS_DEFAULT_STATE_DIR, *run_dir = "/run/remsim";
	const char *db = MS_DEFAULT_DATABASE, *name = "";
	int ident = 10000, linger = 1000, port = 9999, compat = 0, grace = 15000;
	int keep = 400, interval = 60, pbatch = 500;
	long long rows = 200000;
	struct cfg *c = NULL;
	if (path) {
		if (!(c = cfg_load(path, err, sizeof(err)))) {
			LOGF(NULL, "%s", err);
			return -1;
		}
		config_setting_t *g = cfg_lookup(c, NULL, "mapstore");
		static const char *const known[] = { "database", "identify_timeout_ms", "reject_linger_ms",
			"bankd_port", "create_error_activates", "bank_grace_ms", "name", NULL };
		static const char *const hknown[] = { "keep_days", "max_rows", "prune_interval_s",
			"prune_batch", NULL };
		if (cfg_check_keys(c, g, "mapstore", known) < 0 ||
		    cfg_check_keys(c, cfg_lookup(c, NULL, "history"), "history", hknown) < 0 ||
		    cfg_get_string(c, NULL, "state_dir", state_dir, 400, &state_dir) < 0 ||
		    cfg_get_string(c, NULL, "run_dir", run_dir, 400, &run_dir) < 0 ||
		    (g && (cfg_get_string(c, g, "database", db, 500, &db) < 0 ||
			   cfg_get_int(c, g, "identify_timeout_ms", 10000, 100, 600000, &ident) < 0 ||
			   cfg_get_int(c, g, "reject_linger_ms", 1000, 0, 60000, &linger) < 0 ||
			   cfg_get_int(c, g, "bankd_port", 9999, 1, 65535, &port) < 0 ||
			   cfg_get_bool(c, g, "create_error_activates", 0, &compat) < 0 ||
			   cfg_get_int(c, g, "bank_grace_ms", 15000, 0, 3600000, &grace) < 0 ||
			   cfg_get_string(c, g, "name", "", RSPRO_STR_MAX, &name) < 0)) ||
		    cfg_get_int(c, NULL, "history.keep_days", keep, 0, 36500, &keep) < 0 ||
		    cfg_get_int64(c, NULL, "history.max_rows", rows, 0, 1000000000LL, &rows) < 0 ||
		    cfg_get_int(c, NULL, "history.prune_interval_s", interval, 1, 86400, &interval) < 0 ||
		    cfg_get_int(c, NULL, "history.prune_batch", pbatch, 1, 100000, &pbatch) < 0) {
			LOGF(NULL, "%s", cfg_error(c));
			cfg_free(&c);
			return -1;
		}
	}
	const char *env_run = getenv("REMSIM_RUN_DIR");
	if (env_run && *env_run)
		run_dir = env_run;
	const char *vars[] = { "@STATE_DIR@", state_dir, "@RUN_DIR@", run_dir, NULL };
	int rc = expand(cf->database, sizeof(cf->database), db, vars);
	if (rc < 0 || !cf->database[0]) {
		fprintf(stderr, "mapstore: %s: database path empty or too long\n", path ? path : "-");
		cfg_free(&c);
		return -1;
	}
	cf->identify_timeout_ms = (unsigned)ident;
	cf->reject_linger_ms = (unsigned)linger;
	cf->bankd_port = (uint16_t)port;
	cf->create_error_activates = compat;
	cf->bank_grace_ms = (unsigned)grace;
	cf->keep_days = keep;
	cf->max_rows = rows;
	cf->prune_interval_ms = (unsigned)interval * 1000;
	cf->prune_batch = pbatch;
	if (!name[0] && (gethostname(host, sizeof(host) - 1) < 0 || !host[0]))
		snprintf(host, sizeof(host), "unknown");
	snprintf(cf->name, sizeof(cf->name), "%s", name[0] ? name : host);
	cfg_free(&c);
	return 0;
}

/* mkdir -p of the database's directory (0750 for the ones we create). */
static void make_parent(const char *file)
{
	char d[PATH_MAX];
	snprintf(d, sizeof(d), "%s", file);
	char *slash = strrchr(d, '/');
	if (!slash || slash == d)
		return;
	*slash = '\0';
	for (char *p = d + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(d, 0755);
			*p = '/';
		}
	if (mkdir(d, 0750) < 0 && errno != EEXIST)
		LOGW(NULL, "cannot create %s: %s", d, strerror(errno));
}

static void on_up(struct actor *a, const struct actor_conn *c, int restored, void *ud)
{
	(void)a;
	struct mapstore *ms = ud;
	if (!restored)
		sc_restore_flush(ms);
	sc_up(ms, c, restored);
}

static void on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		    const char *reason, void *ud)
{
	(void)a;
	(void)peer;
	(void)origin;
	sc_restore_flush(ud);
	if (!strcmp(reason, "broker restarted"))
		grace_start(ud, "the server's broker restarted");
	sc_down(ud, conn, reason);
}

static void on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud)
{
	(void)a;
	sc_restore_flush(ud);
	sc_rspro(ud, conn, der, len);
}

static void restore_tick(struct actor *a, void *arg)
{
	(void)a;
	sc_restore_flush(arg);
}

int main(int argc, char **argv)
{
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "mapstore", HELP))
		return args.exit_code;
	if (args.argc > 1) {
		fprintf(stderr, "mapstore: unexpected argument '%s'\n", args.argv[1]);
		return 2;
	}
	static struct mapstore ms;
	ms_self = &ms;
	log_init(args.name ? args.name : "mapstore");
	if (load_config(&ms.cf, args.config) < 0)
		return 1;
	if (cfg_check_only())
		return 0;
	sm_actions_init(&ms.acts);
	char err[600];
	int rc = 1;
	make_parent(ms.cf.database);
	if (!(ms.db = mapdb_open(ms.cf.database, err, sizeof(err)))) {
		LOGF(NULL, "%s", err);
		return 1;
	}
	ms.t = slotmap_new();
	ms.ct = ct_new();
	if (!ms.t || !ms.ct) {
		LOGF(NULL, "out of memory");
		goto out;
	}
	slotmap_set_create_error_activates(ms.t, ms.cf.create_error_activates);
	int n = mapdb_load(ms.db, ms.t, &ms.acts);
	sm_actions_clear(&ms.acts);
	if (n < 0) {
		LOGF(NULL, "cannot load mappings from %s: %s", ms.cf.database, mapdb_errmsg(ms.db));
		goto out;
	}
	LOGI(NULL, "database %s: %d mapping(s) restored (%zu listed)", ms.cf.database, n,
	     slotmap_count(ms.t, false));
	struct actor_cbs cbs = { .on_rspro = on_rspro, .on_conn_up = on_up, .on_conn_down = on_down,
				 .on_ctl_req = ms_ctl };
	ms.a = actor_new(&args, &cbs, &ms);
	if (!ms.a)
		goto out;
	LOGI(NULL, "identity remsimServer \"%s\" %s %s; bankd port announced %u", ms.cf.name,
	     MS_SOFTWARE, PACKAGE_VERSION, ms.cf.bankd_port);
	actor_timer_add(ms.a, 1, 1, restore_tick, &ms);
	if (n > 0)
		grace_start(&ms, "mapstore started");
	retention_start(&ms);
	actor_run(ms.a);
	if (!ms.fatal)
		ms_run_actions(&ms);	/* a group commit still pending */
	rc = ms.fatal ? 1 : 0;
	LOGI(NULL, "stopping (%zu connections; %lu undecodable, %lu unhandled, %lu unsolicited "
		   "PDUs)", ct_count(ms.ct), ms.rx_undecodable, ms.rx_unhandled, ms.unsolicited);
	actor_destroy(&ms.a);
out:
	grace_free(&ms);
	ct_free(&ms.ct);
	slotmap_free(ms.t);
	mapdb_close(ms.db);
	sm_actions_free(&ms.acts);
	return rc;
}
