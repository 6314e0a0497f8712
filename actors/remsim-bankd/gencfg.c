/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gencfg.c: the role config remsim-bankd hands to remsimd.
 *
 * Base: our libconfig file (-c FILE, the format of etc/bankd.cfg) or, without
 * -c, the built-in defaults below plus `reader.slots` converted from
 * bankd_pcsc_slots.csv (every row in file order: { slot; bank; reader; }).
 * Then, in this order:
 *   1. command-line options override the file (-i -p -b -n -N -I -P -s -g -G);
 *   2. whatever the role needs and the file lacks is added: the broker,
 *      bankmap and reader actors, the client listener (side "bankd", actor
 *      bankmap), the control commands maps/banks/clients;
 *   3. derived values are made consistent: the client listener's bind/port
 *      from bankd.bind_ip/bind_port, the reader count from bankd.num_slots;
 *   4. run_dir: -r, else the file's, else /run/remsim-bankd (root) or
 *      /tmp/remsim-bankd-UID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "launcher.h"
#include "pcsc_slots_csv.h"

static const char DEFAULTS[] =
	"actors = ( { name = \"broker\"; }, { name = \"bankmap\"; }, { name = \"reader\"; count = 8; } );\n"
	"broker = { commands = { maps = \"bankmap\"; banks = \"bankmap\"; clients = \"bankmap\"; }; };\n"
	"bankd = { server_port = 9998; bank_id = 1; num_slots = 8; bind_ip = \"0.0.0.0\"; bind_port = 9999; };\n"
	"reader = { sharing = \"exclusive\"; };\n";

static config_setting_t *member(config_setting_t *g, const char *name, int type)
{
	config_setting_t *s = config_setting_get_member(g, name);
	if (s && config_setting_type(s) != type) {
		config_setting_remove(g, name);
		s = NULL;
	}
	return s ? s : config_setting_add(g, name, type);
}

static void set_str(config_setting_t *g, const char *name, const char *v)
{
	config_setting_t *s = member(g, name, CONFIG_TYPE_STRING);
	if (s)
		config_setting_set_string(s, v);
}

static void set_int(config_setting_t *g, const char *name, long v)
{
	config_setting_t *s = member(g, name, CONFIG_TYPE_INT);
	if (s)
		config_setting_set_int(s, (int)v);
}

static const char *get_str(config_setting_t *g, const char *name, const char *def)
{
	const char *v;
	return g && config_setting_lookup_string(g, name, &v) ? v : def;
}

static long get_int(config_setting_t *g, const char *name, long def)
{
	int v;
	return g && config_setting_lookup_int(g, name, &v) ? v : def;
}

/* The list entry whose `key` equals val, or NULL. */
static config_setting_t *find_entry(config_setting_t *list, const char *key, const char *val)
{
	for (int i = 0; list && i < config_setting_length(list); i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *v;
		if (config_setting_is_group(e) && config_setting_lookup_string(e, key, &v) && !strcmp(v, val))
			return e;
	}
	return NULL;
}

static void ensure_actor(config_setting_t *actors, const char *name, long count)
{
	config_setting_t *e = find_entry(actors, "name", name);
	if (!e) {
		e = config_setting_add(actors, NULL, CONFIG_TYPE_GROUP);
		set_str(e, "name", name);
	}
	if (count >= 0)
		set_int(e, "count", count);
}

static int add_csv_slots(const struct opts *o, config_setting_t *reader, char *err, size_t errlen)
{
	struct pcsc_slots s;
	const char *path = o->csv_file ? o->csv_file : "bankd_pcsc_slots.csv";
	if (pcsc_slots_csv_load(path, &s, err, errlen) < 0) {
		pcsc_slots_free(&s);
		return -1;
	}
	config_setting_remove(reader, "slots");
	config_setting_t *list = config_setting_add(reader, "slots", CONFIG_TYPE_LIST);
	for (size_t i = 0; list && i < s.n; i++) {
		config_setting_t *e = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
		set_int(e, "slot", s.rows[i].slot_nr);
		set_int(e, "bank", s.rows[i].bank_id);
		set_str(e, "reader", s.rows[i].regex);
	}
	pcsc_slots_free(&s);
	return 0;
}

static int check_range(const char *what, long v, long lo, long hi, char *err, size_t errlen)
{
	if (v >= lo && v <= hi)
		return 0;
	snprintf(err, errlen, "%s must be between %ld and %ld (got %ld)", what, lo, hi, v);
	return -1;
}

int gencfg_build(const struct opts *o, config_t *out, char *err, size_t errlen, int *usage)
{
	config_init(out);
	*usage = 0;
	if (o->config_file) {
		struct cfg *c = cfg_load(o->config_file, err, errlen);
		if (!c)
			return -1;
		cfg_free(&c);		/* checked with file:line; now read it for editing */
		if (config_read_file(out, o->config_file) != CONFIG_TRUE) {
			snprintf(err, errlen, "%s: cannot read", o->config_file);
			return -1;
		}
	} else if (config_read_string(out, DEFAULTS) != CONFIG_TRUE) {
		snprintf(err, errlen, "built-in defaults: %s", config_error_text(out));
		return -1;
	}
	config_setting_t *root = config_root_setting(out);
	config_setting_t *bankd = member(root, "bankd", CONFIG_TYPE_GROUP);
	config_setting_t *reader = member(root, "reader", CONFIG_TYPE_GROUP);
	config_setting_t *broker = member(root, "broker", CONFIG_TYPE_GROUP);
	config_setting_t *actors = config_setting_get_member(root, "actors");
	if (!actors || !config_setting_is_list(actors)) {
		if (actors)
			config_setting_remove(root, "actors");
		actors = config_setting_add(root, "actors", CONFIG_TYPE_LIST);
	}
	if (!bankd || !reader || !broker || !actors) {
		snprintf(err, errlen, "%s: 'bankd', 'reader', 'broker' must be groups", o->config_file);
		return -1;
	}

	/* 1. options */
	if (o->server_host) set_str(bankd, "server_host", o->server_host);
	if (o->server_port >= 0) set_int(bankd, "server_port", o->server_port);
	if (o->bank_id >= 0) set_int(bankd, "bank_id", o->bank_id);
	if (o->num_slots >= 0) set_int(bankd, "num_slots", o->num_slots);
	if (o->component_name) set_str(bankd, "name", o->component_name);
	if (o->bind_ip) set_str(bankd, "bind_ip", o->bind_ip);
	if (o->bind_port >= 0) set_int(bankd, "bind_port", o->bind_port);
	if (o->shared) set_str(reader, "sharing", "shared");
	if (o->gsmtap_host) set_str(reader, "gsmtap_host", o->gsmtap_host);
	if (o->gsmtap_slot != -2) set_int(reader, "gsmtap_slot", o->gsmtap_slot);
	const char *host = get_str(bankd, "server_host", "");
	if (!*host) {
		snprintf(err, errlen, "no remsim-server given: -i HOST is mandatory%s",
			 o->config_file ? " (or bankd.server_host in the config file)" : "");
		*usage = 1;
		return -1;
	}
	if (!o->config_file && add_csv_slots(o, reader, err, errlen) < 0)	/* after -i, as osmo */
		return -1;
	long slots = get_int(bankd, "num_slots", 8);
	if (check_range("the number of slots (-n, bankd.num_slots)", slots, 1, 1023, err, errlen) ||
	    check_range("the bank id (-b, bankd.bank_id)", get_int(bankd, "bank_id", 1), 0, 1023, err, errlen) ||
	    check_range("the server port (-p, bankd.server_port)", get_int(bankd, "server_port", 9998), 1, 65535,
			err, errlen) ||
	    check_range("the bind port (-P, bankd.bind_port)", get_int(bankd, "bind_port", 9999), 1, 65535,
			err, errlen) ||
	    check_range("the GSMTAP slot (-G, reader.gsmtap_slot)", get_int(reader, "gsmtap_slot", -1), -1, 1023,
			err, errlen)) {
		*usage = o->config_file == NULL;
		return -1;
	}

	/* 2. what the role needs */
	ensure_actor(actors, "broker", -1);
	ensure_actor(actors, "bankmap", -1);
	ensure_actor(actors, "reader", slots);		/* 3. one reader per slot */
	config_setting_t *cmds = member(broker, "commands", CONFIG_TYPE_GROUP);
	static const char *const cmd[] = { "maps", "banks", "clients" };
	for (unsigned i = 0; cmds && i < 3; i++)
		if (!config_setting_get_member(cmds, cmd[i]))
			set_str(cmds, cmd[i], "bankmap");
	config_setting_t *lis = config_setting_get_member(broker, "listeners");
	if (!lis || !config_setting_is_list(lis)) {
		if (lis)
			config_setting_remove(broker, "listeners");
		lis = config_setting_add(broker, "listeners", CONFIG_TYPE_LIST);
	}
	config_setting_t *l = find_entry(lis, "actor", "bankmap");
	if (!l) {
		l = config_setting_add(lis, NULL, CONFIG_TYPE_GROUP);
		set_str(l, "name", "clients");
		set_str(l, "side", "bankd");
		set_str(l, "actor", "bankmap");
	}
	/* 3. the client listener follows bankd.bind_ip / bind_port */
	char bind[64];
	snprintf(bind, sizeof(bind), "%s", get_str(bankd, "bind_ip", get_str(l, "bind", "0.0.0.0")));
	set_str(l, "bind", bind);
	set_int(l, "port", get_int(bankd, "bind_port", get_int(l, "port", 9999)));

	/* 4. run dir */
	char rd[512];
	if (o->run_dir)
		snprintf(rd, sizeof(rd), "%s", o->run_dir);
	else if (config_setting_get_member(root, "run_dir"))
		snprintf(rd, sizeof(rd), "%s", get_str(root, "run_dir", ""));
	else if (geteuid() == 0)
		snprintf(rd, sizeof(rd), "/run/remsim-bankd");
	else
		snprintf(rd, sizeof(rd), "/tmp/remsim-bankd-%u", (unsigned)geteuid());
	set_str(root, "run_dir", rd);
	return 0;
}
