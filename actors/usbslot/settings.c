/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings.c: the settings of one usbslot actor.  Sources, later ones win:
 * built-in defaults (osmo-remsim-client's), the role config's group
 * "client", the slot's entry "client.slots.[INDEX]" (INDEX = REMSIM_INDEX),
 * then the actor's own command-line options. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "usbslot.h"

const char usbslot_options_help[] =
"Slot options (after the actor options; they override the role config):\n"
"  --transport T            usb | sim:SOCKET_PATH | shell | ifd:SOCKET_PATH\n"
"                           (default usb; ifd: the PC/SC reader libifd_remsim.so)\n"
"  --server-host HOST       remsim-server address (127.0.0.1)\n"
"  --server-port PORT       remsim-server port (9998)\n"
"  --client-id N            ClientId (0)\n"
"  --client-slot N          client SlotNr (0)\n"
"  --atr HEX                ATR until the bankd sends the card's (3b 00; 2..55 octets)\n"
"  --atr-ignore-rspro       always present --atr, ignore SetAtrReq ATRs\n"
"  --event-script CMD       run '/bin/sh -c \"CMD CAUSE\"' on events\n"
"  --hostname NAME          name in our ComponentIdentity (default: host name)\n"
"  --conn-res-timeout-ms MS Connect*Res timeout T1 (10000)\n"
"  --reopen-min-ms MS, --reopen-max-ms MS   board re-open back-off (100, 2000)\n"
"  --usb-vendor HEX --usb-product HEX --usb-serial STR --usb-path BUS-PORT[.PORT]\n"
"  --usb-bus N --usb-address N --usb-config N --usb-interface N --usb-altsetting N\n"
"                           SIMtrace2 device selection (defaults: 1d50, any cardem\n"
"                           board, config 1, interface 0, altsetting 0)\n"
"  --usb-no-dev-mem         heap transfer buffers (for umockdev)\n"
"  --usb-bulk-in N          bulk-IN transfers kept submitted, also on the simulator\n"
"                           (4; fewer only to reproduce OS#4409, with a warning)\n"
"  --sim-presence 0|1       SIM-presence pin polarity sent in CONFIG (not sent)\n"
"Role config: group client = { ...; slots = ( { ... }, ... ); } with the same\n"
"names in snake case (server_host, client_slot, usb = { vendor = \"1d50\"; ... }).\n";

int parse_hex(const char *text, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;
	for (const char *p = text; *p; p++) {
		if (isspace((unsigned char)*p) || *p == ':')
			continue;
		if (!isxdigit((unsigned char)*p))
			return -1;
		int v = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= max)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (int)n : -1;
}

static void defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->server_host, sizeof(s->server_host), "127.0.0.1");
	s->server_port = 9998;
	s->atr[0] = 0x3b;
	s->atr[1] = 0x00;
	s->atr_len = 2;
	char h[256] = "";
	if (gethostname(h, sizeof(h)) != 0 || !h[0])
		snprintf(h, sizeof(h), "remsim-client");
	snprintf(s->hostname, sizeof(s->hostname), "%.32s", h);
	s->conn_res_timeout_ms = 10000;
	s->reopen_min_ms = 100;
	s->reopen_max_ms = 2000;
	s->transport = TR_USB;
	st2_usb_sel_default(&s->usb);
	s->sim_presence = -1;
}

static int set_transport(struct settings *s, const char *v)
{
	if (!strcmp(v, "usb")) {
		s->transport = TR_USB;
	} else if (!strcmp(v, "shell")) {
		s->transport = TR_SHELL;
	} else if ((!strncmp(v, "sim:", 4) || !strncmp(v, "ifd:", 4)) && v[4] &&
		   strlen(v + 4) < sizeof(s->sim_path)) {
		s->transport = v[0] == 's' ? TR_SIM : TR_IFD;
		snprintf(s->sim_path, sizeof(s->sim_path), "%s", v + 4);
	} else {
		return -1;
	}
	return 0;
}

static int set_atr(struct settings *s, const char *v)
{
	uint8_t atr[USBSLOT_ATR_MAX];
	int n = parse_hex(v, atr, sizeof(atr));
	if (n < 2)
		return -1;
	memcpy(s->atr, atr, (size_t)n);
	s->atr_len = (size_t)n;
	return 0;
}

static int parse_long(const char *v, int base, long min, long max, long *out)
{
	char *end;
	long x = strtol(v, &end, base);
	if (!*v || *end || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

/* ---- role config ------------------------------------------------------------ */

static const char *const known_keys[] = {
	"server_host", "server_port", "client_id", "client_slot", "atr", "atr_ignore_rspro",
	"event_script", "hostname", "conn_res_timeout_ms", "reopen_min_ms", "reopen_max_ms",
	"transport", "usb", "sim_presence", "slots", NULL,
};
static const char *const usb_keys[] = {
	"vendor", "product", "serial", "path", "bus", "address", "config", "interface",
	"altsetting", "no_dev_mem", "bulk_in_transfers", NULL,
};

/* an id given as hex string ("1d50") or as integer (0x1d50) */
static int get_hexid(struct cfg *cf, config_setting_t *g, const char *key, uint16_t *out)
{
	config_setting_t *e = config_setting_get_member(g, key);
	if (!e)
		return 0;
	long v;
	if (config_setting_type(e) == CONFIG_TYPE_STRING) {
		if (parse_long(config_setting_get_string(e), 16, 0, 0xffff, &v) < 0)
			return cfg_fail(cf, e, "'%s' must be a hex USB id like \"1d50\"", key);
	} else if (config_setting_type(e) == CONFIG_TYPE_INT) {
		v = config_setting_get_int(e);
		if (v < 0 || v > 0xffff)
			return cfg_fail(cf, e, "'%s' must be between 0 and 0xffff", key);
	} else {
		return cfg_fail(cf, e, "'%s' must be a hex string or an integer", key);
	}
	*out = (uint16_t)v;
	return 0;
}

static int load_group(struct settings *s, struct cfg *cf, config_setting_t *g, const char *where)
{
	const char *str;
	int v, rc;
	if (cfg_check_keys(cf, g, where, known_keys))
		return -1;
	if (cfg_get_string(cf, g, "server_host", NULL, sizeof(s->server_host) - 1, &str) < 0)
		return -1;
	if (str)
		snprintf(s->server_host, sizeof(s->server_host), "%s", str);
	if (cfg_get_int(cf, g, "server_port", s->server_port, 1, 65535, &s->server_port) < 0 ||
	    cfg_get_int(cf, g, "conn_res_timeout_ms", s->conn_res_timeout_ms, 1, 3600000, &s->conn_res_timeout_ms) < 0 ||
	    cfg_get_int(cf, g, "reopen_min_ms", s->reopen_min_ms, 1, 600000, &s->reopen_min_ms) < 0 ||
	    cfg_get_int(cf, g, "reopen_max_ms", s->reopen_max_ms, 1, 600000, &s->reopen_max_ms) < 0 ||
	    cfg_get_int(cf, g, "sim_presence", s->sim_presence, -1, 1, &s->sim_presence) < 0 ||
	    cfg_get_bool(cf, g, "atr_ignore_rspro", s->atr_ignore_rspro, &s->atr_ignore_rspro) < 0)
		return -1;
	if ((rc = cfg_get_int(cf, g, "client_id", (int)s->client_id, 0, RSPRO_SLOT_MAX, &v)) < 0)
		return -1;
	s->client_id = v;
	if ((rc = cfg_get_int(cf, g, "client_slot", (int)s->slot_nr, 0, RSPRO_SLOT_MAX, &v)) < 0)
		return -1;
	s->slot_nr = v;
	if (cfg_get_string(cf, g, "atr", NULL, 0, &str) < 0)
		return -1;
	if (str && set_atr(s, str) < 0)
		return cfg_fail(cf, config_setting_get_member(g, "atr"), "'atr' malformed (2..55 hex octets)");
	if (cfg_get_string(cf, g, "event_script", NULL, sizeof(s->event_script) - 1, &str) < 0)
		return -1;
	if (str)
		snprintf(s->event_script, sizeof(s->event_script), "%s", str);
	if (cfg_get_string(cf, g, "hostname", NULL, 32, &str) < 0)
		return -1;
	if (str)
		snprintf(s->hostname, sizeof(s->hostname), "%s", str);
	if (cfg_get_string(cf, g, "transport", NULL, 0, &str) < 0)
		return -1;
	if (str && set_transport(s, str) < 0)
		return cfg_fail(cf, config_setting_get_member(g, "transport"),
				"'transport' must be \"usb\", \"shell\", \"sim:PATH\" or \"ifd:PATH\" (got \"%s\")", str);
	config_setting_t *u = config_setting_get_member(g, "usb");
	if (u) {
		if (!config_setting_is_group(u))
			return cfg_fail(cf, u, "'usb' must be a group { vendor = \"1d50\"; ... }");
		if (cfg_check_keys(cf, u, "usb", usb_keys))
			return -1;
		if (get_hexid(cf, u, "vendor", &s->usb.vid) < 0 || get_hexid(cf, u, "product", &s->usb.pid) < 0 ||
		    cfg_get_int(cf, u, "bus", s->usb.bus, -1, 255, &s->usb.bus) < 0 ||
		    cfg_get_int(cf, u, "address", s->usb.address, -1, 255, &s->usb.address) < 0 ||
		    cfg_get_int(cf, u, "config", s->usb.config, -1, 255, &s->usb.config) < 0 ||
		    cfg_get_int(cf, u, "altsetting", s->usb.altsetting, 0, 255, &s->usb.altsetting) < 0 ||
		    cfg_get_bool(cf, u, "no_dev_mem", s->usb.no_dev_mem, &s->usb.no_dev_mem) < 0 ||
		    cfg_get_int(cf, u, "bulk_in_transfers", s->usb.n_bulk_in, 1, 32, &s->usb.n_bulk_in) < 0)
			return -1;
		if ((rc = cfg_get_int(cf, u, "interface", s->usb.interface, 0, 255, &s->usb.interface)) < 0)
			return -1;
		if (rc == 0)
			s->usb_interface_given = 1;
		if (cfg_get_string(cf, u, "serial", NULL, sizeof(s->usb_serial) - 1, &str) < 0)
			return -1;
		if (str)
			snprintf(s->usb_serial, sizeof(s->usb_serial), "%s", str);
		if (cfg_get_string(cf, u, "path", NULL, sizeof(s->usb_path) - 1, &str) < 0)
			return -1;
		if (str)
			snprintf(s->usb_path, sizeof(s->usb_path), "%s", str);
	}
	return 0;
}

static int load_config(struct settings *s, const char *path, int index, char *err, size_t errlen)
{
	struct cfg *cf = cfg_load(path, err, errlen);
	if (!cf)
		return -1;
	int rc = 0;
	config_setting_t *g = cfg_lookup(cf, NULL, "client");
	if (g && !config_setting_is_group(g))
		rc = cfg_fail(cf, g, "'client' must be a group { ... }");
	if (!rc && g)
		rc = load_group(s, cf, g, "client");
	config_setting_t *slots = g ? config_setting_get_member(g, "slots") : NULL;
	if (!rc && slots) {
		if (!config_setting_is_list(slots))
			rc = cfg_fail(cf, slots, "'client.slots' must be a list ( { ... }, ... )");
		else if (index >= 0 && index < config_setting_length(slots)) {
			config_setting_t *e = config_setting_get_elem(slots, (unsigned)index);
			if (!config_setting_is_group(e))
				rc = cfg_fail(cf, e, "client.slots.[%d] must be a group { ... }", index);
			else
				rc = load_group(s, cf, e, "client.slots entry");
		} else if (index >= 0) {
			LOGW(NULL, "%s: client.slots has no entry %d: using the group's settings", path, index);
		}
	}
	if (rc)
		snprintf(err, errlen, "%s", cfg_error(cf));
	cfg_free(&cf);
	return rc ? -1 : 0;
}

/* ---- command line ------------------------------------------------------------- */

static int load_args(struct settings *s, int argc, char **argv, char *err, size_t errlen)
{
	enum { O_TRANSPORT = 256, O_HOST, O_PORT, O_CID, O_SLOT, O_ATR, O_ATR_IGN, O_SCRIPT,
	       O_HOSTNAME, O_T1, O_RMIN, O_RMAX, O_VID, O_PID, O_SERIAL, O_PATH, O_BUS, O_ADDR,
	       O_CONFIG, O_INTF, O_ALT, O_NODEVMEM, O_PRES, O_BULKIN };
	static const struct option lo[] = {
		{ "transport", 1, NULL, O_TRANSPORT }, { "server-host", 1, NULL, O_HOST },
		{ "server-port", 1, NULL, O_PORT }, { "client-id", 1, NULL, O_CID },
		{ "client-slot", 1, NULL, O_SLOT }, { "atr", 1, NULL, O_ATR },
		{ "atr-ignore-rspro", 0, NULL, O_ATR_IGN }, { "event-script", 1, NULL, O_SCRIPT },
		{ "hostname", 1, NULL, O_HOSTNAME }, { "conn-res-timeout-ms", 1, NULL, O_T1 },
		{ "reopen-min-ms", 1, NULL, O_RMIN }, { "reopen-max-ms", 1, NULL, O_RMAX },
		{ "usb-vendor", 1, NULL, O_VID }, { "usb-product", 1, NULL, O_PID },
		{ "usb-serial", 1, NULL, O_SERIAL }, { "usb-path", 1, NULL, O_PATH },
		{ "usb-bus", 1, NULL, O_BUS }, { "usb-address", 1, NULL, O_ADDR },
		{ "usb-config", 1, NULL, O_CONFIG }, { "usb-interface", 1, NULL, O_INTF },
		{ "usb-altsetting", 1, NULL, O_ALT }, { "usb-no-dev-mem", 0, NULL, O_NODEVMEM },
		{ "sim-presence", 1, NULL, O_PRES }, { "usb-bulk-in", 1, NULL, O_BULKIN },
		{ NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 0;
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		const char *o = optarg;
		int bad = 0;
		switch (c) {
		case O_TRANSPORT: bad = set_transport(s, o); break;
		case O_HOST: snprintf(s->server_host, sizeof(s->server_host), "%s", o); break;
		case O_PORT: bad = parse_long(o, 10, 1, 65535, &v); if (!bad) s->server_port = (int)v; break;
		case O_CID: bad = parse_long(o, 10, 0, RSPRO_SLOT_MAX, &s->client_id); break;
		case O_SLOT: bad = parse_long(o, 10, 0, RSPRO_SLOT_MAX, &s->slot_nr); break;
		case O_ATR: bad = set_atr(s, o); break;
		case O_ATR_IGN: s->atr_ignore_rspro = 1; break;
		case O_SCRIPT: snprintf(s->event_script, sizeof(s->event_script), "%s", o); break;
		case O_HOSTNAME: snprintf(s->hostname, sizeof(s->hostname), "%.32s", o); break;
		case O_T1: bad = parse_long(o, 10, 1, 3600000, &v); if (!bad) s->conn_res_timeout_ms = (int)v; break;
		case O_RMIN: bad = parse_long(o, 10, 1, 600000, &v); if (!bad) s->reopen_min_ms = (int)v; break;
		case O_RMAX: bad = parse_long(o, 10, 1, 600000, &v); if (!bad) s->reopen_max_ms = (int)v; break;
		case O_VID: bad = parse_long(o, 16, 0, 0xffff, &v); if (!bad) s->usb.vid = (uint16_t)v; break;
		case O_PID: bad = parse_long(o, 16, 0, 0xffff, &v); if (!bad) s->usb.pid = (uint16_t)v; break;
		case O_SERIAL: snprintf(s->usb_serial, sizeof(s->usb_serial), "%s", o); break;
		case O_PATH: snprintf(s->usb_path, sizeof(s->usb_path), "%s", o); break;
		case O_BUS: bad = parse_long(o, 10, -1, 255, &v); if (!bad) s->usb.bus = (int)v; break;
		case O_ADDR: bad = parse_long(o, 10, -1, 255, &v); if (!bad) s->usb.address = (int)v; break;
		case O_CONFIG: bad = parse_long(o, 10, -1, 255, &v); if (!bad) s->usb.config = (int)v; break;
		case O_INTF: bad = parse_long(o, 10, 0, 255, &v);
			if (!bad) { s->usb.interface = (int)v; s->usb_interface_given = 1; } break;
		case O_ALT: bad = parse_long(o, 10, 0, 255, &v); if (!bad) s->usb.altsetting = (int)v; break;
		case O_NODEVMEM: s->usb.no_dev_mem = 1; break;
		case O_BULKIN: bad = parse_long(o, 10, 1, 32, &v); if (!bad) s->usb.n_bulk_in = (int)v; break;
		case O_PRES: bad = parse_long(o, 10, 0, 1, &v); if (!bad) s->sim_presence = (int)v; break;
		default:
			snprintf(err, errlen, "unknown or incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
		if (bad) {
			snprintf(err, errlen, "bad value '%s' for --%s", o, lo[c - 256].name);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int settings_load(struct settings *s, const char *config, int index, int argc, char **argv,
		  char *err, size_t errlen)
{
	defaults(s);
	if (config && load_config(s, config, index, err, errlen) < 0)
		return -1;
	if (load_args(s, argc, argv, err, errlen) < 0)
		return -1;
	if (s->reopen_max_ms < s->reopen_min_ms)
		s->reopen_max_ms = s->reopen_min_ms;
	s->usb.serial = s->usb_serial[0] ? s->usb_serial : NULL;
	s->usb.path = s->usb_path[0] ? s->usb_path : NULL;
	return 0;
}
